"""The page shell's links: the language switch keeps the page and its parameters."""


def test_the_language_switch_keeps_the_page_and_its_parameters(app, staff):
    client = app.test_client()
    page = client.get("/badges/verify?id=abc&x=%C4%91").get_data(as_text=True)
    assert 'href="?id=abc&amp;x=%C4%91&amp;lang=en" lang="en"' in page
    page = client.get("/badges/verify?id=abc&lang=en").get_data(as_text=True)
    assert 'href="?id=abc&amp;lang=vi" lang="vi"' in page  # the previous choice replaced, not repeated
