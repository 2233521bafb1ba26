"""Extraction on the shipped samples and on hostile or oddly encoded input."""

from __future__ import annotations

import pytest

from narrator._exceptions import ArticleError
from narrator.extract import ExtractOptions, extract
from narrator.load import Source, load

from .conftest import SAMPLES, expected

HTML_SAMPLES = ("harbour-ferry-fares", "heat-pumps-explained", "river-restoration-long-read")


def html(body: str, head: str = "", charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<!doctype html><html><head>{meta}{head}</head><body>{body}</body></html>"


STORY = "".join(
    f"<p>This is sentence number {n} of a story about the harbour, and it ends here.</p>" for n in range(6)
)


@pytest.mark.parametrize("name", HTML_SAMPLES)
def test_html_samples_give_exactly_the_story(name: str) -> None:
    article = extract(load(SAMPLES / f"{name}.html"))
    truth = expected(name)
    got = [("paragraph", article.standfirst)] + [(b.kind, b.text) for b in article.blocks]
    assert got == [(b["kind"], b["text"]) for b in truth["blocks"]]
    assert article.title == truth["title"]
    assert article.authors == (truth["byline"],)
    assert article.published and article.published.startswith(truth["date"])


def test_html_metadata_comes_from_json_ld_and_open_graph() -> None:
    article = extract(load(SAMPLES / "harbour-ferry-fares.html"))
    assert article.site_name == "The Riverside Courier"
    assert article.language == "en-US"
    assert article.url and article.url.startswith("https://www.riversidecourier.example/")
    assert article.image and article.image.endswith(".jpg")


def test_markdown_sample() -> None:
    article = extract(load(SAMPLES / "community-garden.md"))
    truth = expected("community-garden")
    assert [(b.kind, b.text) for b in article.blocks] == [(b["kind"], b["text"]) for b in truth["blocks"]]
    assert article.title == truth["title"]
    assert article.authors == (truth["byline"],)
    assert article.published == truth["date"]


def test_pull_quote_read_once_and_caption_not_read() -> None:
    article = extract(load(SAMPLES / "heat-pumps-explained.html"))
    text = article.text
    for phrase in expected("heat-pumps-explained")["must_not_hear"]:
        assert phrase not in text
    quote = "People blame the box outside"
    assert text.count(quote) == 1


def test_captions_only_on_request() -> None:
    page = html(
        "<article><h1>Title here</h1>" + STORY[:200] + "<figure><img src='a.jpg'>"
        "<figcaption>Boats wait at the quay in the morning fog. <span class='credit'>Photo: A. Person</span>"
        "</figcaption></figure>" + STORY + "</article>"
    )
    source = Source(page.encode(), "text/html", "page.html")
    assert "fog" not in extract(source).text
    with_captions = extract(source, ExtractOptions(captions=True)).text
    assert "Boats wait at the quay in the morning fog." in with_captions
    assert "A. Person" not in with_captions


def test_title_drops_site_suffix() -> None:
    page = html("<article>" + STORY + "</article>", head="<title>Ferry fares rise | The Courier</title>")
    assert extract(Source(page.encode(), "text/html", "p.html")).title == "Ferry fares rise"


@pytest.mark.parametrize(
    ("data", "charset", "declared"),
    [
        ("Café owner José said “yes”.", "utf-8", None),
        ("Café owner José said “yes”.", "utf-8", "iso-8859-1"),  # wrong declaration
        ("Café owner José said “yes”.", "cp1252", "windows-1252"),
        ("Café owner José said “yes”.", "cp1252", None),  # undeclared, not UTF-8
    ],
)
def test_encodings(data: str, charset: str, declared: str | None) -> None:
    body = f"<article><p>{data} {STORY}</p></article>"
    page = html(body, charset=declared)
    article = extract(Source(page.encode(charset), "text/html", "p.html"))
    assert "Café owner José said “yes”." in article.text


def test_invisible_characters_are_removed() -> None:
    body = (
        "<article><p>The coun&shy;cil&#8203; met on Mon&nbsp;day in the town hall, officials said.</p>"
        + STORY
    )
    article = extract(Source(html(body + "</article>").encode(), "text/html", "p.html"))
    assert article.blocks[0].text == "The council met on Mon day in the town hall, officials said."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n\t ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        (html("<nav><a href='/'>Home</a></nav><footer>© 2026</footer>").encode(), "no article text"),
        (html("<script>" + "var x = 1;" * 500 + "</script>").encode(), "no article text"),
    ],
)
def test_unusable_input_raises_article_error(data: bytes, message: str) -> None:
    with pytest.raises(ArticleError, match=message):
        extract(Source(data, "text/html", "page.html"))


def test_json_ld_article_body_is_the_fallback() -> None:
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebPage"}, {"@type": "NewsArticle", "headline": "Rendered later",'
        '"articleBody": "First paragraph of the story is here.\\n\\nSecond paragraph follows it."}]}</script>'
    )
    article = extract(Source(html("<div id='root'></div>", head=ld).encode(), "text/html", "p.html"))
    assert article.title == "Rendered later"
    assert [b.text for b in article.blocks] == [
        "First paragraph of the story is here.",
        "Second paragraph follows it.",
    ]


def test_plain_text_title_and_paragraphs() -> None:
    text = "Council backs new ferries\n\nThe vote was close. It passed.\n\nA second paragraph ends here.\n"
    article = extract(Source(text.encode(), "text/plain", "a.txt"))
    assert article.title == "Council backs new ferries"
    assert [b.text for b in article.blocks] == [
        "The vote was close. It passed.",
        "A second paragraph ends here.",
    ]


STORY8 = "".join(
    f"<p>This is sentence number {n} of a story about the harbour, and it ends here.</p>" for n in range(8)
)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(
            f"<html><body><article><h1>T</h1>{STORY8}<p>Cut off in the mid".encode(), id="truncated"
        ),
        pytest.param(STORY8.encode(), id="no-body"),
        pytest.param(
            ("<html><body><article>" + STORY8 + "</article></body></html>").encode()
            + b"\xff\xfe\xfa bad \xc3(",
            id="invalid-utf8",
        ),
        pytest.param(
            ("<html><body>" + "<div>" * 10_000 + STORY8 + "</div>" * 10_000 + "</body></html>").encode(),
            id="nested-10000",
        ),
    ],
)
def test_broken_pages_give_their_story(page: bytes) -> None:
    article = extract(Source(page, "text/html", "p.html"))
    assert [b.text for b in article.blocks if "harbour" in b.text][:8] == [
        f"This is sentence number {n} of a story about the harbour, and it ends here." for n in range(8)
    ]


@pytest.mark.slow
def test_twenty_megabyte_page_is_read_in_bounded_time() -> None:
    import time

    filler = "<div class='related'><p>Another teaser line that is not part of the story at all.</p></div>"
    story = "".join(
        f"<p>Paragraph {n} of a very long story about the harbour ends here with a full stop.</p>"
        for n in range(20_000)
    )
    page = f"<html><body><article>{story}</article>{filler * 201_000}</body></html>".encode()
    assert len(page) >= 20_000_000
    started = time.monotonic()
    article = extract(Source(page, "text/html", "big.html"))
    assert time.monotonic() - started < 120
    assert len(article.blocks) == 20_000
    assert "teaser" not in article.text
