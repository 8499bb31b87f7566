"""Reading a rubric's YAML so that no file can hang or crash the loader, with located errors.

A rubric file is read in four guarded steps, each of which fails with a ``LoadError`` that says
where and what, in a few words:

1. ``read_bytes``: only a regular file, and at most ``MAX_FILE_BYTES`` of it. A FIFO or a device
   named ``*.yaml`` is refused from ``os.stat`` alone, before any open that could block.
2. ``decode``: strict UTF-8, so a Latin-1 byte is reported with its line and column.
3. ``RubricLoader`` (PyYAML's safe loader) composes the node graph with a nesting limit and
   without anchors or aliases, then constructs it refusing duplicate keys and over-long numbers.
4. ``short_repr``: any value from the file that an error message shows is cut to a few dozen
   characters, so a message never grows with the input.
"""

from __future__ import annotations

import os
import reprlib
import stat
from pathlib import Path

import yaml
from yaml.nodes import Node

MAX_FILE_BYTES = 1024 * 1024  # the shipped rubrics are under 50 KB
MAX_DEPTH = 50  # nested mappings and lists; the shipped rubrics reach 6
MAX_NUMBER_CHARS = 100  # digits and separators of one number; a rubric's numbers are like 0.25
SHOWN_CHARS = 80  # the most of any value from the file that an error message shows

_MERGE_TAG = "tag:yaml.org,2002:merge"


class LoadError(Exception):
    """A rubric file that cannot be read as YAML: where (``line 3, column 7``, or "") and why."""

    def __init__(self, location: str, message: str):
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        self.message = message


def load(path: str | Path) -> tuple[object, bytes]:
    """Read a rubric file within every limit; return the parsed data and the bytes read."""
    raw = read_bytes(path)
    return parse(decode(raw)), raw


def read_bytes(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Return the bytes of a regular file no larger than ``limit``, or raise ``LoadError``."""
    too_large = LoadError("", f"is larger than {limit:,} bytes, the limit for a rubric file")
    try:
        info = os.stat(path)
        _refuse_unless_regular(info)
        if info.st_size > limit:
            raise too_large
        # O_NONBLOCK: should the path become a FIFO between the stat and the open, the open
        # returns at once and the check of the open file below refuses it.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as file:
            _refuse_unless_regular(os.fstat(file.fileno()))
            # One byte past the limit rather than trusting st_size: the file may have grown.
            raw = file.read(limit + 1)
    except OSError as exc:
        raise LoadError("", f"cannot be read ({exc.strerror})") from None
    if len(raw) > limit:
        raise too_large
    return raw


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_unless_regular(info: os.stat_result) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
    raise LoadError("", f"is {kind}, not a regular file")


def decode(raw: bytes) -> str:
    """Decode strict UTF-8, naming the line and column of the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        # Everything before the bad byte decoded, so the column counts characters, as YAML's do.
        column = len(raw[line_start : exc.start].decode("utf-8"))
        where = _place(raw.count(b"\n", 0, exc.start), column)
        raise LoadError(where, f"not valid UTF-8 (byte {raw[exc.start]:#04x})") from None


def parse(text: str) -> object:
    """Parse one YAML document with ``RubricLoader``; every failure is a located ``LoadError``."""
    try:
        loader = RubricLoader(text)  # the reader checks for control characters here
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:  # PyYAML gives only the character's offset
        line_start = text.rfind("\n", 0, exc.position) + 1
        where = _place(text.count("\n", 0, exc.position), exc.position - line_start)
        raise LoadError(where, f"not valid YAML: {exc.reason} (#x{exc.character:04x})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _place(mark.line, mark.column) if mark else ""
        problem = shorten(exc.problem or exc.context or "is not valid YAML", 2 * SHOWN_CHARS)
        raise LoadError(where, f"not valid YAML: {problem}") from None


def _place(line: int, column: int) -> str:
    """``line 3, column 7`` from PyYAML's counts, which start at 0."""
    return f"line {line + 1}, column {column + 1}"


def _at(node_or_event: Node | yaml.Event) -> str:
    return _place(node_or_event.start_mark.line, node_or_event.start_mark.column)


class RubricLoader(yaml.SafeLoader):
    """PyYAML's ``SafeLoader`` with the limits a rubric file needs.

    Anchors and aliases are refused outright rather than counted: a rubric never needs them (the
    shipped ones use none), and refusing them is the one rule that makes an alias bomb ("billion
    laughs") impossible whatever the counts; it also rules out merge keys (``<<: *base``), whose
    silent overriding would hide mistakes. Depth is checked while composing, not on a walk of the
    finished graph, because PyYAML's composer recurses once per level: 100,000 levels would
    exhaust Python's stack before any walk could start.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise LoadError(
                _at(event),
                f"uses the alias *{shorten(event.anchor)}; rubric files use no anchors or aliases",
            )
        if event.anchor is not None:
            raise LoadError(
                _at(event),
                f"defines the anchor &{shorten(event.anchor)}; "
                "rubric files use no anchors or aliases",
            )
        if not isinstance(event, yaml.CollectionStartEvent):
            return super().compose_node(parent, index)
        if self._depth >= MAX_DEPTH:
            raise LoadError(_at(event), f"is nested more than {MAX_DEPTH} levels deep")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> object:
        # PyYAML lets Python's own errors through: ``2024-13-45`` raises ValueError from date(),
        # ``1:1:1.5`` OverflowError. Turn them into a located message.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise LoadError(_at(node), f"cannot read this value: {shorten(str(exc))}") from None

    def construct_mapping(self, node: Node, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            self._refuse_duplicate_keys(node)
        return super().construct_mapping(node, deep=deep)

    def _refuse_duplicate_keys(self, node: yaml.MappingNode) -> None:
        first_lines: dict[object, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = first_lines.get(key)
            except TypeError:  # an unhashable key: PyYAML's own check reports it
                continue
            if first is not None:
                raise LoadError(
                    f"line {line}", f"duplicate key {short_repr(key)} (first at line {first})"
                )
            first_lines[key] = line

    # ``1:1:1:...`` (YAML 1.1's base 60) takes quadratic time to convert, and ``int()`` refuses
    # more than 4,300 digits: no rubric number is longer than a few characters.
    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        self._refuse_long_number(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        self._refuse_long_number(node)
        return super().construct_yaml_float(node)

    def _refuse_long_number(self, node: yaml.ScalarNode) -> None:
        if isinstance(node.value, str) and len(node.value) > MAX_NUMBER_CHARS:
            raise LoadError(_at(node), f"is a number longer than {MAX_NUMBER_CHARS} characters")


RubricLoader.add_constructor("tag:yaml.org,2002:int", RubricLoader.construct_yaml_int)
RubricLoader.add_constructor("tag:yaml.org,2002:float", RubricLoader.construct_yaml_float)


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = SHOWN_CHARS
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 2, 4, 4


def short_repr(value: object) -> str:
    """``repr`` of a value from a rubric file, built and cut to about ``SHOWN_CHARS`` characters."""
    return shorten(_REPR.repr(value))


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """Text cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
