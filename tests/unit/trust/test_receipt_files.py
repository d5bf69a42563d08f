"""What `verify-receipt` accepts: a bundle, a list of receipts, or one receipt."""

from __future__ import annotations

from typing import Any

import pytest

from iro_ledger.trust.receipts import RECEIPTS_FORMAT, receipts_in
from iro_ledger.trust.verifier import RECEIPT_FORMAT

ONE = {"format": RECEIPT_FORMAT, "tree_size": 3}
TWO = {"format": RECEIPT_FORMAT, "tree_size": 4}


@pytest.mark.parametrize(("document", "found"), [
    ({"format": RECEIPTS_FORMAT, "receipts": [ONE, TWO]}, [ONE, TWO]),
    ([ONE, TWO], [ONE, TWO]),
    (ONE, [ONE]),
])
def test_a_file_holds_a_bundle_a_list_or_one_receipt(document: Any,
                                                     found: list[dict[str, Any]]) -> None:
    assert receipts_in(document) == found


@pytest.mark.parametrize("document", [
    {"format": RECEIPTS_FORMAT, "receipts": []}, [], [1, 2], "receipt", {"format": "other"},
    {"format": RECEIPTS_FORMAT},
])
def test_anything_else_is_not_a_receipt_file(document: Any) -> None:
    with pytest.raises(ValueError, match="not a receipt"):
        receipts_in(document)
