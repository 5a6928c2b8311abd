"""Deployment themes and WCAG contrast arithmetic. Pure module: no Django import.

A lab may belong to the State, a Region or both, so the look is themeable: each theme
is a handful of colours, and every text/background pair must reach WCAG 2.1 AA (4.5:1).
"""

from dataclasses import asdict, dataclass

AA_NORMAL_TEXT = 4.5


@dataclass(frozen=True)
class Theme:
    label: str
    primary: str  # links, buttons
    primary_hover: str
    on_primary: str  # text on a primary background
    background: str
    surface: str  # cards, header and footer
    text: str
    muted: str  # secondary text
    focus: str  # focus ring, must stand out against background (3:1 is required)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


THEMES: dict[str, Theme] = {
    "kenlabour": Theme(
        label="Kenlabour (sobre, bleu ardoise)",
        primary="#1d4f7a",
        primary_hover="#143a5c",
        on_primary="#ffffff",
        background="#ffffff",
        surface="#f3f5f8",
        text="#1b1f24",
        muted="#4a5563",
        focus="#b3440e",
    ),
    "region": Theme(
        label="Collectivité (vert bocage)",
        primary="#1f5d3a",
        primary_hover="#16462b",
        on_primary="#ffffff",
        background="#ffffff",
        surface="#f1f6f2",
        text="#161c18",
        muted="#47534b",
        focus="#8a3b00",
    ),
    "prefecture": Theme(
        label="Administration (marine)",
        primary="#26336b",
        primary_hover="#1a2450",
        on_primary="#ffffff",
        background="#ffffff",
        surface="#f4f4f7",
        text="#1a1a1f",
        muted="#4d4f5c",
        focus="#a3222a",
    ),
}


def parse_hex(colour: str) -> tuple[int, int, int]:
    value = colour.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    if len(value) != 6:
        raise ValueError(f"not a hexadecimal colour: {colour!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_pairs(theme: Theme) -> list[tuple[str, str, str, float]]:
    """Every (name, foreground, background, required ratio) pair the CSS uses."""
    return [
        ("text/background", theme.text, theme.background, AA_NORMAL_TEXT),
        ("text/surface", theme.text, theme.surface, AA_NORMAL_TEXT),
        ("muted/background", theme.muted, theme.background, AA_NORMAL_TEXT),
        ("muted/surface", theme.muted, theme.surface, AA_NORMAL_TEXT),
        ("primary/background", theme.primary, theme.background, AA_NORMAL_TEXT),
        ("primary/surface", theme.primary, theme.surface, AA_NORMAL_TEXT),
        ("on_primary/primary", theme.on_primary, theme.primary, AA_NORMAL_TEXT),
        ("on_primary/primary_hover", theme.on_primary, theme.primary_hover, AA_NORMAL_TEXT),
        ("focus/background", theme.focus, theme.background, 3.0),
    ]


def contrast_failures(theme: Theme) -> list[str]:
    """The pairs of a theme that miss WCAG AA, described for a human."""
    failures = []
    for name, fg, bg, required in text_pairs(theme):
        ratio = contrast_ratio(fg, bg)
        if ratio < required:
            failures.append(f"{name} {fg} on {bg}: {ratio:.2f}:1 < {required}:1")
    return failures


def with_overrides(theme: Theme, overrides: dict[str, str]) -> Theme:
    """A theme with some colours replaced (from the PLATFORM_COLOURS setting)."""
    known = set(asdict(theme))
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown theme colours: {', '.join(sorted(unknown))}")
    for colour in overrides.values():
        parse_hex(colour)
    return Theme(**{**asdict(theme), **overrides})
