"""Subcommands of the ``siloscope`` console command, one module each (see ``bot.cli``)."""
