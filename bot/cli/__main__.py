"""`python -m bot.cli`, as the tests and benchmarks start the bot in its own process."""

import sys

from bot.cli import main

sys.exit(main())
