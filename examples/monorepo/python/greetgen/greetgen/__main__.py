"""`python -m greetgen TEMPLATE DATA OUTPUT`."""
from greetgen import main_cli

main_cli()
