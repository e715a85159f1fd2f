"""``python -m service.cli`` is the same as ``attune``."""

from service.cli.main import main

main()
