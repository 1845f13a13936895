"""The general word lists the scorer starts from, read from files their PyPI packages ship (no download).

VADER gives most word valences and the emoji descriptions; TextBlob's adjective polarities fill the
review and complaint adjectives VADER lacks. ``lexicon.yml`` then corrects both for service feedback.
"""

from __future__ import annotations

from importlib import resources


def vader_words() -> dict[str, float]:
    """VADER's word valences, read from the file its package ships."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    valences: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                valences[parts[0].lower()] = float(parts[1])
            except ValueError:
                continue
    return valences


def vader_emoji() -> dict[str, str]:
    """VADER's description of each single-character emoji ("grinning face")."""
    text = resources.files("vaderSentiment").joinpath("emoji_utf8_lexicon.txt").read_text(encoding="utf-8")
    pairs = (line.split("\t", 1) for line in text.splitlines() if "\t" in line)
    return {emoji: description.strip() for emoji, description in pairs if len(emoji) == 1}


def textblob_adjectives(scale: float = 3.0) -> dict[str, float]:
    """TextBlob's adjective polarities (its shipped pattern lexicon), averaged over senses, on VADER's scale.

    VADER misses many review and complaint adjectives ("atrocious", "overrated"); TextBlob has them.
    """
    from xml.etree import ElementTree

    text = resources.files("textblob").joinpath("en/en-sentiment.xml").read_text(encoding="utf-8")
    senses: dict[str, list[float]] = {}
    for word in ElementTree.fromstring(text).iter("word"):  # noqa: S314 - a file shipped inside a package
        form = (word.get("form") or "").lower()
        if form and " " not in form:
            senses.setdefault(form, []).append(float(word.get("polarity") or 0))
    averaged = {form: sum(values) / len(values) for form, values in senses.items()}
    return {form: round(value * scale, 3) for form, value in averaged.items() if abs(value) >= 0.1}
