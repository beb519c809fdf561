"""Plain-text tables for operators' terminals (flask library check|history, flask stats)."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def format_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Collection[int] = (),
    *,
    open_last: bool = False,
) -> str:
    """Columns padded to their widest cell (those in `right` right-aligned), two spaces apart,
    under a rule of dashes (blanks under an empty header).

    open_last: the last column is free text, neither padded nor ruled past its header.
    """
    fixed = len(header) - 1 if open_last else len(header)
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(fixed)]

    def line(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row[:fixed], widths, strict=True))
        ]
        if open_last:
            return "  ".join([*cells, row[-1]])
        return "  ".join(cells).rstrip()

    rule = [("-" if title else " ") * width for title, width in zip(header, widths, strict=False)]
    if open_last:
        rule.append("-" * len(header[-1]))
    return "\n".join([line(header), line(rule), *map(line, rows)])
