"""SSDA903 import: a children-looked-after return's CSV files as commands in the domain language.

`read_return(directory)` reads header.csv, episodes.csv and reviews.csv (only the columns
needed); `map_return(files, options)` turns them into commands in the batch form, each with
its source row, plus the rows it could not map and why. It writes nothing: the CLI either
writes the batch to a file or applies it through the same ingest path as `iro-ledger ingest`.
"""

from iro_ledger.ssda903.files import (
    ReturnFiles,
    Row,
    Skip,
    UnusableInput,
    parse_return,
    read_return,
)
from iro_ledger.ssda903.mapping import PLACEHOLDER_IRO, Mapped, Mapping, Options, map_return
from iro_ledger.ssda903.pseudonyms import (
    PseudonymKeyError,
    Pseudonyms,
    default_key_path,
    load_or_make_key,
)

__all__ = [
    "PLACEHOLDER_IRO",
    "Mapped",
    "Mapping",
    "Options",
    "PseudonymKeyError",
    "Pseudonyms",
    "ReturnFiles",
    "Row",
    "Skip",
    "UnusableInput",
    "default_key_path",
    "load_or_make_key",
    "map_return",
    "parse_return",
    "read_return",
]
