"""The base of the tracker's commands whose help is a message."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from projects.i18n import Text


class MessageCommand(BaseCommand):
    """A command whose help is a message, `help_message = _("…")` (its English in the catalogue),
    rendered in the active language when the parser is built: BaseCommand.help and argparse take
    only a str."""

    help_message: Text = ""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help_message)
        return super().create_parser(prog_name, subcommand, **kwargs)
