"""Reading the hand-edited data files: ``glossary.yml`` and the ``NAME.meta.yml`` files beside the sources.

One step for both, in an order that refuses a hostile file before it costs anything:

1. read it through ``sources.read_text`` (the one place bytes are decoded), refusing a file over
   its size limit before anything is parsed;
2. walk YAML's event stream and refuse what a hand-edited file never needs: anchors and aliases
   (a "billion laughs" expands a few lines into gigabytes), nesting deeper than ``MAX_DEPTH``,
   explicit tags (``!!python/object``, ``!!binary``) and a second document;
3. compose the node tree and refuse a key given twice in one mapping (PyYAML silently keeps the
   last) and merge keys (``<<``, which let one mapping fill in another's fields);
4. construct the data with the safe loader and validate it against the file's JSON Schema
   (``scripts/schemas/``, Draft 2020-12).

Every problem is a ``PipelineError``: one line with the file, the line of the offending YAML node,
and in words what is wrong and what is expected, never a traceback nor raw validator text:

>>> entry = "- id: united-front\\n  term: united front\\n  variants: 5\\n  short: s\\n  definition: d\\n"
>>> load_text(entry + "  sources: [{title: t, url: 'https://e.org'}]\\n", "glossary.yml", GLOSSARY)
Traceback (most recent call last):
scripts.errors.PipelineError: error: glossary.yml:3: entry 'united-front': variants: expected a list of strings, got 5
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from scripts.errors import PipelineError
from scripts.sources import YAML_LOADER, read_text

GLOSSARY = "glossary"
META = "meta"
SEE_ALSO = "see_also"
GLOSSARY_MAX_BYTES = 1024 * 1024  # the glossary of 24 entries is 40 KiB
META_MAX_BYTES = 256 * 1024       # a metadata file is a few facts
SEE_ALSO_MAX_BYTES = 1024 * 1024  # a hand-made link is a few lines
MAX_BYTES = {GLOSSARY: GLOSSARY_MAX_BYTES, META: META_MAX_BYTES, SEE_ALSO: SEE_ALSO_MAX_BYTES}
MAX_DEPTH = 32  # the files need 5 levels; the limit keeps every later step's recursion shallow
# Errors looked at to choose the one reported: the validator finds a list's errors in its order, so the
# first few hold the earliest; a file of 250,000 wrong entries is not checked to its end.
MAX_ERRORS = 100
SCHEMAS = Path(__file__).with_name("schemas")
_COLLECTION_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_COLLECTION_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_MERGE_TAG = "tag:yaml.org,2002:merge"
# What an entry or a fact is called in messages, per file.
_ITEM = {GLOSSARY: "entry", META: "fact", SEE_ALSO: "link"}


@cache
def _schemas() -> dict[str, dict]:
    """Every schema in ``scripts/schemas/``, by its ``$id`` (``glossary.schema.json``)."""
    found = (json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.schema.json")))
    return {schema["$id"]: schema for schema in found}


def schema(name: str) -> dict:
    """The JSON Schema of one kind of data file (``GLOSSARY``, ``META`` or ``SEE_ALSO``)."""
    return _schemas()[f"{name}.schema.json"]


# Ids the glossary's own pages take (glossary/index.md): listed once, in the schema, which refuses them.
RESERVED_IDS = frozenset(schema(GLOSSARY)["$defs"]["reserved_id"]["enum"])
# Hosts a glossary source may not be on (mirrors, aggregators, study sites): listed once, in the schema.
DENIED_HOSTS = tuple(schema(GLOSSARY)["$defs"]["source"]["properties"]["url"]["deniedHosts"])


@cache
def _end_anchored(pattern: str) -> re.Pattern[str]:
    r"""A schema pattern for Python's ``re``, where a final ``$`` also matches before a final newline.

    JSON Schema's ``$`` (ECMA-262) is the end of the text, so an id ``"x\n"`` must not match ``^x$``:

    >>> bool(_end_anchored("^x$").search("x\n")), bool(re.search("^x$", "x\n"))
    (False, True)
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator, pattern: str, instance: object, schema: dict) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _end_anchored(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def host_of(url: str) -> str:
    """A URL's host, lower case, without a final dot (``''`` when it has none).

    >>> host_of("https://Simple.M.Wikipedia.org./wiki/X"), host_of("not a url")
    ('simple.m.wikipedia.org', '')
    """
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def denied_host(url: str, hosts) -> str | None:
    """The entry of ``hosts`` that a URL's host is, or is a subdomain of (``www.`` and the like included).

    >>> denied_host("https://www.studylib.net/doc/1", ["studylib.net"]), denied_host("https://e.org", ["studylib.net"])
    ('studylib.net', None)
    """
    host = host_of(url)
    return next((h for h in hosts if host == h or host.endswith("." + h)), None)


def _denied_hosts(validator, hosts: list[str], instance: object, schema: dict) -> Iterator[ValidationError]:
    """``deniedHosts``, this project's keyword: a URL on none of these hosts (a list kept in the schema).

    Hand-written: JSON Schema has no keyword that reads a URL's host, and a pattern would hide the list in a regex."""
    if validator.is_type(instance, "string") and denied_host(instance, hosts):
        yield ValidationError(f"{instance!r} is on a denied host")


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                          {"pattern": _pattern, "deniedHosts": _denied_hosts})


@cache
def _validator(name: str):
    registry = Registry().with_resources((uri, Resource.from_contents(s)) for uri, s in _schemas().items())
    _Validator.check_schema(schema(name))
    return _Validator(schema(name), registry=registry)


@dataclass(frozen=True)
class DataFile:
    """A data file's checked data, and where each of its values is (for messages that give a line)."""

    data: object
    root: yaml.Node | None = None
    # For each mapping node (by id): its keys as constructed, each with its key and value nodes.
    keys: dict[int, dict[object, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict, repr=False)

    def node(self, path: tuple = ()) -> yaml.Node | None:
        """The node at a path of keys and list indices (a jsonschema error's ``absolute_path``)."""
        node = self.root
        for part in path:
            if isinstance(node, yaml.MappingNode):
                node = self.keys[id(node)][part][1]
            elif isinstance(node, yaml.SequenceNode):
                node = node.value[part]
            else:
                return None
        return node

    def line(self, *path: object) -> int | None:
        """The 1-based line of the value at ``path``: of its key, in a mapping (where the field is named)."""
        parent = self.node(path[:-1])
        if path and isinstance(parent, yaml.MappingNode):
            return self.key_line(path[:-1], path[-1])
        node = self.node(path)
        return node.start_mark.line + 1 if node is not None else None

    def key_line(self, path: tuple, key: object) -> int | None:
        """The line of a key of the mapping at ``path``."""
        node = self.node(path)
        return self.keys[id(node)][key][0].start_mark.line + 1 if node is not None else None

    def order(self, path: tuple) -> tuple[int, ...]:
        """Where a value comes in the file, as positions along its path: sorts values in document order."""
        node, positions = self.root, []
        for part in path:
            if isinstance(node, yaml.MappingNode):
                entries = self.keys[id(node)]
                positions.append(list(entries).index(part))
                node = entries[part][1]
            else:
                positions.append(part)
                node = node.value[part]
        return tuple(positions)


def load(path: str | Path, kind: str) -> DataFile:
    """Read, parse and check a data file of a kind (``GLOSSARY``, ``META`` or ``SEE_ALSO``) against its schema."""
    return load_text(read_text(path, max_bytes=MAX_BYTES[kind]), path, kind)


def load_text(text: str, path: str | Path, kind: str) -> DataFile:
    """Parse and check a data file's text; ``path`` names it in messages."""
    doc = parse(text, path)
    errors = list(islice(_validator(kind).iter_errors(doc.data), MAX_ERRORS))
    if errors:
        error = _specific(min(errors, key=lambda e: _rank(doc, e)), doc)
        raise PipelineError(path, describe(error, doc, kind), line=_error_line(error, doc))
    return doc


def parse(text: str, path: str | Path) -> DataFile:
    """YAML text to data, refusing anchors, aliases, tags, deep nesting, duplicate and merge keys.

    >>> parse("a: 1\\nb: [x, y]\\n", "f.yml").data
    {'a': 1, 'b': ['x', 'y']}
    >>> parse("a: 1\\nb: &x [x]\\nc: *x\\n", "f.yml")
    Traceback (most recent call last):
    scripts.errors.PipelineError: error: f.yml:2: anchor '&x': anchors and aliases are not allowed; write each value out
    >>> parse("a: 1\\na: 2\\n", "f.yml")
    Traceback (most recent call last):
    scripts.errors.PipelineError: error: f.yml:2: key 'a' given twice in one mapping (first on line 1)
    """
    try:
        _check_events(text, path)
        loader = YAML_LOADER(text)
        try:
            root = loader.get_single_node()
            keys: dict[int, dict] = {}
            if root is not None:
                _index_keys(root, loader, path, keys)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise PipelineError(path, f"not valid YAML ({err.problem or err.context})",
                            line=mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as err:
        # constructing a value can fail after the syntax was fine: a date like 2024-13-01 is a
        # ValueError, an integer of more than 4,300 digits too
        raise PipelineError(path, f"not valid YAML ({_first_line(err)})") from None
    return DataFile(data, root, keys)


def _first_line(err: BaseException) -> str:
    """An exception's message, short: its first line up to a semicolon."""
    return (str(err).strip().splitlines() or [type(err).__name__])[0].split(";")[0]


def _tag_text(tag: str) -> str:
    """A tag as it is written: ``tag:yaml.org,2002:binary`` is ``!!binary``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _check_events(text: str, path: str | Path) -> None:
    """Refuse, from the event stream and before anything is built, what could make building costly or unsafe."""
    depth = documents = 0
    for event in yaml.parse(text, Loader=YAML_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise PipelineError(path, "a second YAML document ('---'); expected one", line=line)
        elif isinstance(event, yaml.AliasEvent):
            raise PipelineError(path, f"alias {'*' + event.anchor!r}: anchors and aliases are not allowed; "
                                "write each value out", line=line)
        elif getattr(event, "anchor", None) is not None:
            raise PipelineError(path, f"anchor {'&' + event.anchor!r}: anchors and aliases are not allowed; "
                                "write each value out", line=line)
        elif getattr(event, "tag", None) is not None:
            raise PipelineError(path, f"explicit tag {_tag_text(event.tag)!r} is not allowed; write a plain value",
                                line=line)
        if isinstance(event, _COLLECTION_START):
            depth += 1
            if depth > MAX_DEPTH:
                raise PipelineError(path, f"nested more than {MAX_DEPTH} levels deep", line=line)
        elif isinstance(event, _COLLECTION_END):
            depth -= 1


def _index_keys(node: yaml.Node, loader, path: str | Path, keys: dict[int, dict]) -> None:
    """Construct each mapping's keys, refusing a key given twice and merge keys; record where each key is."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _index_keys(item, loader, path, keys)
    elif isinstance(node, yaml.MappingNode):
        entries: dict[object, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                raise PipelineError(path, "merge keys ('<<') are not allowed; write each field out", line=line)
            if not isinstance(key_node, yaml.ScalarNode):
                raise PipelineError(path, "a key must be a single value, not a list or a mapping", line=line)
            key = loader.construct_object(key_node)
            if key in entries:
                first = entries[key][0].start_mark.line + 1
                raise PipelineError(path, f"key {key!r} given twice in one mapping (first on line {first})",
                                    line=line)
            entries[key] = (key_node, value_node)
            _index_keys(value_node, loader, path, keys)
        keys[id(node)] = entries


# Which of several errors at one place is reported: a value of the wrong kind first, then an unknown
# field (a misspelt field is also a missing one: the misspelling says more), then a missing one.
_PRIORITY = {"type": 0, "additionalProperties": 1, "required": 2}


def _rank(doc: DataFile, error: ValidationError) -> tuple:
    """Errors in document order; at one place, by ``_PRIORITY``; then by the schema's own order.

    Deterministic: the same file always gets the same message.
    """
    return (doc.order(tuple(error.absolute_path)), _PRIORITY.get(error.validator, 3),
            tuple(str(p) for p in error.absolute_schema_path))


def _specific(error: ValidationError, doc: DataFile) -> ValidationError:
    """For a value that fits none of ``anyOf``'s choices: the error within the one choice of its kind, if one."""
    if error.validator != "anyOf" or not error.context:
        return error
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    kind_fits = [errs for errs in branches.values()
                 if not any(e.validator == "type" and not e.relative_path for e in errs)]
    if len(kind_fits) != 1:
        return error
    return _specific(min(kind_fits[0], key=lambda e: _rank(doc, e)), doc)


def _error_line(error: ValidationError, doc: DataFile) -> int | None:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        return doc.key_line(path, _unknown_keys(error)[0])
    if "propertyNames" in error.absolute_schema_path:
        return doc.key_line(path, error.instance)
    return doc.line(*path)


def _unknown_keys(error: ValidationError) -> list:
    known = error.schema.get("properties", {})
    return [key for key in error.instance if key not in known]


# Messages


def show(value: object, limit: int = 60) -> str:
    """A value as a message quotes it: one line, shortened.

    >>> show(5), show(None), show("a\\nb"), show(["x"]), show({"a": 1}), show("x" * 80)[-6:]
    ('5', 'nothing', "'a\\\\nb'", 'a list', 'a mapping', "xxxx…'")
    """
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value) if isinstance(value, str | int | float) else f"{type(value).__name__} {value}"
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


_TYPES = {"string": "a string", "array": "a list", "object": "a mapping", "integer": "a whole number",
          "number": "a number", "boolean": "true or false", "null": "nothing"}


def expected(schema: dict) -> str:
    """What a schema accepts, in words: its ``expected`` text, else its type.

    >>> expected({"type": "string", "expected": "some text"})
    'some text'
    >>> expected({"type": ["integer", "string"]})
    'a whole number or a string'
    """
    if "expected" in schema:
        return schema["expected"]
    types = schema.get("type", [])
    return " or ".join(_TYPES[t] for t in ([types] if isinstance(types, str) else types)) or "another value"


def _label(part: object) -> str:
    return part if isinstance(part, str) and re.fullmatch("[a-z_]+", part) else repr(part)


def where(path: tuple, doc: DataFile, kind: str) -> str:
    """Where a value is, in words: the entry or fact, then the field, list items by number from 1.

    >>> doc = parse("- id: x\\n  sources: [{url: 5}, {url: 6}]\\n", "g.yml")
    >>> where((0, "sources", 1, "url"), doc, GLOSSARY)
    "entry 'x': sources #2, url: "
    """
    if not path:
        return ""
    head, *rest = path
    if kind == GLOSSARY:
        term_id = doc.data[head].get("id") if isinstance(doc.data[head], dict) else None
        name = f"entry {term_id!r}" if isinstance(term_id, str) and term_id else f"entry #{head + 1}"
    elif kind == SEE_ALSO:
        name = f"link #{head + 1}"
    else:
        name = f"{_ITEM[kind]} {head!r}"
    parts: list[str] = []
    node = doc.node((head,))
    for part in rest:
        if isinstance(node, yaml.SequenceNode):
            if parts:
                parts[-1] += f" #{part + 1}"
            else:
                parts.append(f"#{part + 1}")
            node = node.value[part]
        else:
            parts.append(_label(part))
            node = doc.keys[id(node)][part][1]
    return ": ".join([name, ", ".join(parts)] if parts else [name]) + ": "


def describe(error: ValidationError, doc: DataFile, kind: str) -> str:
    """A validation error in words, for someone editing the file by hand."""
    at, value, schema = where(tuple(error.absolute_path), doc, kind), error.instance, error.schema
    validator = error.validator
    if "propertyNames" in error.absolute_schema_path:  # the key itself, not its value
        return f"{at}key {show(value)}: expected {expected(schema)}"
    if validator == "required":
        missing = [key for key in error.validator_value if key not in value]
        return f"{at}missing {', '.join(missing)}"
    if validator == "additionalProperties":
        known = ", ".join(schema.get("properties", {}))
        noun = _ITEM[kind] if not error.absolute_path and kind == META else "field"
        return f"{at}unknown {noun} {_unknown_keys(error)[0]!r} (known {noun}s: {known})"
    if validator == "minLength" and error.validator_value == 1:
        return f"{at}must not be empty"
    if validator == "minLength":
        return f"{at}expected at least {error.validator_value} characters, got {show(value)}"
    if validator == "maxLength":
        return f"{at}expected at most {error.validator_value} characters, got {len(value):,}"
    if validator == "minItems" and error.validator_value == 1:
        return f"{at}must not be an empty list"
    if validator == "not" and "refused" in schema:  # a placeholder title
        return f"{at}{show(value)} is {schema['refused']}; expected {expected(schema)}"
    if validator == "not":
        return f"{at}{show(value)} is reserved (for the site's own pages); choose another"
    if validator == "deniedHosts":
        return (f"{at}{show(value)}: {denied_host(value, error.validator_value)} is {schema['refused']}; "
                f"expected {expected(schema)}")
    if validator == "anyOf" and all(set(choice) == {"required"} for choice in error.validator_value):
        names = " or ".join(name for choice in error.validator_value for name in choice["required"])
        return f"{at}missing {names}"
    # type, pattern, minimum, anyOf and the like: what was expected here
    return f"{at}expected {expected(schema)}, got {show(value)}"
