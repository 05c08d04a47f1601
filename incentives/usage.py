"""Usage errors told in the reader's language: a folder typed wrong, a period calc does not know,
an option misspelt or missing.

The language is the one the command would speak: `--lang`, else the `language` of the program
of a folder the command names (an input folder's program.xlsx, a run folder's audit), else
English. In English, click tells them in its own words, as it always has; in another language
they are told from the catalogues (`usage.*`), with the command's usage line. A folder that does
not exist is named with the folder beside it whose name is closest, when one is close: it is
also where the language is looked for (`inputs/intelligent-platfroms` speaks as
`inputs/intelligent-platforms` would). A reason click gives itself (a number out of its range)
stays in its English words, inside the reader's frame.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import click

from incentives import words
from incentives.problems import Said, said

ARGS = "calc.args"  # the command line, as given, kept on the context: the language is looked for in it


class Calc(click.Group):
    """The `calc` group: its usage errors, and its commands', are told in the reader's language."""

    def make_context(self, info_name, args, parent=None, **extra):
        given = list(args)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as ex:
            raise told(ex, given) from None
        ctx.meta[ARGS] = given
        return ctx

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as ex:  # a command's own arguments, parsed here
            raise told(ex, ctx.meta.get(ARGS, [])) from None


class Invalid(click.BadParameter):
    """A value calc's own parameter types refuse, its reason a message of the catalogues."""

    def __init__(self, why: Said, ctx=None, param=None, english: str | None = None):
        super().__init__(english or why.text(words.LANGUAGES[0]), ctx, param)  # `english`: click's own words
        self.why = why


class OneOf(click.Choice):
    """`click.Choice` whose refusal is a message of the catalogues (`usage.choice`)."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as ex:
            raise Invalid(said("usage.choice", value=str(value), choices=", ".join(map(str, self.choices))),
                          ctx, param, english=ex.message) from None


def no_folder(path: Path) -> Said:
    """A folder that does not exist, and the one beside it with the closest name, if any."""
    close = closest(path)
    if close is None:
        return said("usage.no_folder", path=str(path))
    return said("usage.no_folder_close", path=str(path), close=str(close))


def closest(path: Path) -> Path | None:
    """The folder beside `path` (in its parent, when that exists) whose name is closest to its name."""
    parent = path.parent
    try:
        names = [p.name for p in parent.iterdir() if p.is_dir()] if parent.is_dir() else []
    except OSError:
        return None
    found = difflib.get_close_matches(path.name, names, n=1, cutoff=0.8)
    return parent / found[0] if found else None


def told(ex: click.UsageError, args: list[str]) -> click.UsageError:
    """`ex` as the reader of `args` is to read it: itself in English, else `UsageTold`."""
    language = language_of(args)
    return ex if language == words.LANGUAGES[0] else UsageTold(ex, language)


def language_of(args: list[str]) -> str:
    """`--lang`, else the program's language of the first folder the arguments name (or of the
    folder closest to one that does not exist), else English: `words.language_of`, as the commands
    choose theirs."""
    chosen = None
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            chosen = args[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    return words.language_of(chosen if chosen in words.LANGUAGES else _named(args))


def _named(args: list[str]) -> str | None:
    """The program's language of the first folder among `args` that has one."""
    from incentives import pipeline  # the pipeline is imported by the CLI already; not at this module's import

    for arg in args:
        if arg.startswith("-") or "://" in arg:
            continue
        folder = Path(arg)
        folder = folder if folder.is_dir() else closest(folder)
        if folder is not None and folder.is_dir():
            found = pipeline.language(folder) or pipeline.close_language(folder)
            if found in words.LANGUAGES:
                return found
    return None


class UsageTold(click.UsageError):
    """A usage error in a language other than English: the usage line, where to find help, the error."""

    def __init__(self, ex: click.UsageError, language: str):
        super().__init__(ex.message or "", ex.ctx)
        self.original = ex
        self.language = language
        self.exit_code = ex.exit_code

    def format_message(self) -> str:
        ex, language = self.original, self.language

        def say(key: str, **values) -> str:
            return words.say(key, values, language)

        if isinstance(ex, click.MissingParameter) and ex.param is not None:
            kind = "argument" if isinstance(ex.param, click.Argument) else "option"
            return say(f"usage.missing_{kind}", name=_name(ex.param, ex.ctx))
        if isinstance(ex, click.BadParameter):
            why = ex.why.text(language) if isinstance(ex, Invalid) else ex.message
            if ex.param is None:
                return say("usage.invalid_value", why=why)
            return say("usage.invalid", name=_name(ex.param, ex.ctx), why=why)
        if isinstance(ex, click.NoSuchOption):
            found = say("usage.no_option", name=ex.option_name)
            if ex.possibilities:
                found += " " + say("usage.possible", names=", ".join(sorted(ex.possibilities)))
            return found
        if isinstance(ex, click.exceptions.NoSuchCommand):
            found = say("usage.no_command", name=ex.command_name)
            if ex.possibilities:
                found += " " + say("usage.possible_command", names=", ".join(sorted(ex.possibilities)))
            return found
        needs = re.fullmatch(r"Option '(.+)' requires an argument\.", ex.message)
        if needs:
            return say("usage.needs_value", name=needs[1])
        extra = re.fullmatch(r"Got unexpected extra arguments? \((.+)\)", ex.message)
        if extra:
            return say("usage.extra", args=extra[1])
        return ex.message

    def show(self, file=None) -> None:
        ctx = self.ctx
        lines = []
        if ctx is not None:
            lines.append(words.say("usage.usage", {"usage": ctx.get_usage().removeprefix("Usage: ")}, self.language))
            if ctx.command.get_help_option(ctx) is not None:
                lines.append(words.say("usage.help", {"command": ctx.command_path}, self.language))
            lines.append("")
        lines.append(words.say("usage.error", {"message": self.format_message()}, self.language))
        click.echo("\n".join(lines), file=file, err=file is None)


def _name(param: click.Parameter, ctx) -> str:
    """An option by its longest name (--period), an argument by its metavar (INPUT_DIR)."""
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return param.make_metavar(ctx) if ctx is not None else (param.name or "").upper()
