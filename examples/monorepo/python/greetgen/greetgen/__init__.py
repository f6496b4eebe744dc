"""Renders greet/greetings.hpp.j2 with the table in greet/greetings.json.

  python -m greetgen TEMPLATE DATA OUTPUT
"""
import json
import sys
from pathlib import Path

import jinja2


def render(template_path: Path, data_path: Path) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_path.parent)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    greetings = json.loads(data_path.read_text(encoding="utf-8"))
    return environment.get_template(template_path.name).render(greetings=sorted(greetings.items()))


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    text = render(Path(argv[1]), Path(argv[2]))
    output = Path(argv[3])
    if not output.exists() or output.read_text(encoding="utf-8") != text:
        output.write_text(text, encoding="utf-8")


def main_cli():
    main(sys.argv)


if __name__ == "__main__":
    main_cli()
