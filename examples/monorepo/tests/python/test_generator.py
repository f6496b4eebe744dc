"""The header generator, tested with the packages of the devtools set."""
import importlib.metadata
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

import greetgen as generate_greetings  # noqa: E402  (the in-tree package, installed editable)


class GeneratorTest(unittest.TestCase):
    def test_greetgen_is_the_in_tree_package_installed_editable(self):
        self.assertEqual(Path(generate_greetings.__file__).resolve().parent, ROOT / "python" / "greetgen" / "greetgen")
        direct = importlib.metadata.distribution("greetgen").read_text("direct_url.json")
        self.assertIn('"editable": true', direct.replace(" ", "").replace('"editable":true', '"editable": true'))

    def test_jinja2_comes_from_the_devtools_set(self):
        import jinja2
        self.assertIn("_uvauth", jinja2.__file__)
        self.assertEqual(importlib.metadata.distribution("jinja2").read_text("INSTALLER").strip(), "uvauth")

    def test_every_language_is_rendered_sorted(self):
        text = generate_greetings.render(ROOT / "greet" / "greetings.hpp.j2", ROOT / "greet" / "greetings.json")
        self.assertIn("std::array<Greeting, 5>", text)
        self.assertLess(text.index('{"de", "Hallo"}'), text.index('{"fr", "Bonjour"}'))

    def test_output_is_rewritten_only_when_it_changes(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "greetings.hpp"
            args = ["x", str(ROOT / "greet" / "greetings.hpp.j2"), str(ROOT / "greet" / "greetings.json"), str(out)]
            generate_greetings.main(args)
            first = out.stat().st_mtime_ns
            generate_greetings.main(args)
            self.assertEqual(out.stat().st_mtime_ns, first)


if __name__ == "__main__":
    unittest.main()
