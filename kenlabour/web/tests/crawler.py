"""Walk the platform as a person would: from the home page, by the links and forms each page
shows, with Django's test client.

`crawl(client, role)` follows every link of the site that a page offers (a few instances of
each URL pattern and query shape, so that 1,500 needs do not mean 1,500 visits), and records
for each page its status, its number of queries and the forms it holds. `submit_forms` then
sends each form found once empty and once with the values the page put in it (and, when
neither got through, once filled as a person would), each in a transaction rolled back
afterwards, so that the demo stays as it was for the next role. Where a submission leads
(its redirection) is visited inside that transaction: the page it shows after the change,
and the links and forms on it, count as reached.
"""

from __future__ import annotations

import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from kenlabour.web.confirm import CONFIRMED_FIELD

# URL prefixes that are not pages of the platform (Django's admin is staff tooling, files
# are served by whitenoise or the web server).
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
# Forms the crawler does not send: they would end the role's session (logging out, erasing
# the account) or change its language for the pages still to visit (each is tested on its own).
SKIPPED_FORMS = {"accounts:logout", "privacy:erase", "set_language"}
HTML = "text/html"


@dataclass
class Form:
    page: str  # the URL of the page that holds it
    action: str
    method: str
    fields: list[tuple[str, str]]  # (name, initial value) in the order of the page
    names: frozenset[str]
    kinds: dict[str, str] = field(default_factory=dict)  # name → input type, "select"…

    def shape(self) -> tuple:
        return (url_name(self.action), self.method, self.names)


@dataclass
class Visit:
    url: str
    url_name: str
    status: int
    queries: int
    content_type: str
    error: str = ""
    referrer: str = ""  # the page whose link led here
    # For a page reached after a submission (rolled back since): its HTML, so that the
    # browser checks can be run on what it showed.
    content: str = ""


@dataclass
class Submission:
    form: Form
    how: str  # "vide" or "valeurs initiales"
    status: int
    writes_on_refusal: list[str] = field(default_factory=list)
    error: str = ""
    location: str = ""  # where a successful submission leads
    accepted_hostile: bool = False  # a date or number no one can mean was saved


@dataclass
class CrawlResult:
    role: str
    visits: list[Visit] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    # Named URLs seen in a link, a form's action or a script's data attribute.
    seen_names: set[str] = field(default_factory=set)
    # Tables whose row counts changed while the pages were only read (GET).
    changed_by_reading: list[str] = field(default_factory=list)
    # Pages where successful submissions led (each visited inside the submission's
    # transaction, then rolled back with it).
    followed: list[Visit] = field(default_factory=list)

    def pages(self) -> list[Visit]:
        return [v for v in self.visits if v.content_type.startswith(HTML) and v.status == 200]

    def all_visits(self) -> list[Visit]:
        return self.visits + self.followed


class _PageParser(HTMLParser):
    """Links (`href`, `data-*` URLs), the endpoints a script posts to (`data-post-*`: reached,
    not followed, since a GET of them rightly answers 405) and forms (their fields with
    initial values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.endpoints: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and name.startswith("data-post-") and value.startswith("/"):
                self.endpoints.append(value)
            elif value and (name == "href" or (name.startswith("data-") and value.startswith("/"))):
                self.links.append(value)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
                "names": set(),
                "kinds": {},
            }
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            form["names"].add(name)
            form["kinds"].setdefault(name, kind)
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    form["fields"].append((name, attrs.get("value") or "on"))
                return
            form["fields"].append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            form["names"].add(name)
            form["kinds"][name] = "select"
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            if value is None:
                value = ""
            self._select[1].append(value)
            if "selected" in attrs:
                self._select[2].append(value)
        elif tag == "textarea" and name:
            form["names"].add(name)
            form["kinds"][name] = "textarea"
            self._textarea = name
            self._text = []
        elif tag == "button" and name:
            form["names"].add(name)

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            for value in selected or options[:1]:
                self._form["fields"].append((name, value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def url_name(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return ""
    return match.view_name


def internal(base: str, href: str) -> str | None:
    """The site-relative URL of a link, or None for what is not a page of the site."""
    if href.startswith(("mailto:", "tel:", "javascript:", "#", "data:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def shape(url: str) -> tuple[str, frozenset[str]]:
    parts = urlsplit(url)
    return url_name(url), frozenset(key for key, _ in parse_qsl(parts.query))


def _describe(exc: BaseException) -> str:
    """The exception, where it was raised in the project's code, and in which template."""
    lines = traceback.format_exception_only(type(exc), exc)
    project = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if "/kenlabour/" in frame.filename and "/tests/" not in frame.filename
    ]
    lines += traceback.format_list(project[-3:])
    debug = getattr(exc, "template_debug", None)
    if debug:
        lines.append(f"  template {debug['name']}, line {debug['line']}: {debug['during']}\n")
    return "".join(lines).strip()


def crawl(
    client, role: str, seeds: tuple[str, ...] = (), per_shape: int = 4, limit: int = 1500
) -> CrawlResult:
    """Visit the site from its home page (and from `seeds`, the links e-mails carry) by the
    links its pages show."""
    result = CrawlResult(role=role)
    queue = [(url, "") for url in ("/", *seeds)]
    queued = {url for url, _referrer in queue}
    per_shape_count: dict[tuple, int] = defaultdict(int)
    form_shapes: set[tuple] = set()
    connection = connections[DEFAULT_DB_ALIAS]
    while queue and len(result.visits) < limit:
        url, referrer = queue.pop(0)
        name = url_name(url)
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
        except Exception as exc:  # the crawl reports every crash, then goes on
            result.visits.append(Visit(url, name, 500, 0, "", _describe(exc), referrer))
            continue
        content_type = response.get("Content-Type", "")
        result.visits.append(
            Visit(url, name, response.status_code, len(queries), content_type, "", referrer)
        )
        if response.status_code in (301, 302, 303, 307, 308):
            target = internal(url, response["Location"])
            if target and target not in queued:
                queued.add(target)
                queue.append((target, referrer))
            continue
        if response.status_code != 200 or not content_type.startswith(HTML):
            continue
        parser = _parse(response)
        result.seen_names |= _page_names(url, parser)
        for href in parser.links:
            target = internal(url, href)
            if target is None:
                continue
            target_name = url_name(target)
            if target_name:
                result.seen_names.add(target_name)
            if target in queued:
                continue
            key = shape(target)
            if per_shape_count[key] >= per_shape:
                continue
            per_shape_count[key] += 1
            queued.add(target)
            queue.append((target, url))
        for raw in parser.forms:
            action = internal(url, raw["action"]) if raw["action"] else url
            if action is None:
                continue
            form = Form(
                url, action, raw["method"], raw["fields"], frozenset(raw["names"]), raw["kinds"]
            )
            action_name = url_name(action)
            if action_name:
                result.seen_names.add(action_name)
            if form.shape() in form_shapes or action_name in SKIPPED_FORMS:
                continue
            form_shapes.add(form.shape())
            result.forms.append(form)
    return result


def _parse(response) -> _PageParser:
    parser = _PageParser()
    parser.feed(response.content.decode(response.charset or "utf-8"))
    return parser


def _page_names(url: str, parser: _PageParser) -> set[str]:
    """The named URLs a page leads to: its links', its scripts' endpoints and its forms'
    actions."""
    names = set()
    for href in [*parser.links, *parser.endpoints]:
        target = internal(url, href)
        if target is not None:
            names.add(url_name(target))
    for raw in parser.forms:
        action = internal(url, raw["action"]) if raw["action"] else url
        if action is not None:
            names.add(url_name(action))
    return names - {""}


REDIRECTIONS = (301, 302, 303, 307, 308)
# How many redirections in a row a followed submission may take (a reset link's page
# redirects to itself without its token, for instance).
MAX_HOPS = 3


def follow(client, result: CrawlResult, location: str, referrer: str, keep: set[str]) -> None:
    """Visit where a successful submission led, inside its transaction: the page must not
    crash nor be a dead end, must stay within its query budget and write nothing; its name,
    its links' and its forms' count as reached. Its HTML is kept for the browser checks
    when its pattern is in none of `keep` (the patterns already visited or kept)."""
    connection = connections[DEFAULT_DB_ALIAS]
    url = location
    for _hop in range(MAX_HOPS):
        name = url_name(url)
        before = _row_counts(connection)
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
        except Exception as exc:  # reported with the crawl's crashes
            result.followed.append(Visit(url, name, 500, 0, "", _describe(exc), referrer))
            return
        after = _row_counts(connection)
        result.changed_by_reading += sorted(
            f"{table} ({url}, after {referrer}): {before.get(table, 0)} → {count}"
            for table, count in after.items()
            if before.get(table, 0) != count
        )
        content_type = response.get("Content-Type", "")
        visit = Visit(url, name, response.status_code, len(queries), content_type, "", referrer)
        result.followed.append(visit)
        if response.status_code in REDIRECTIONS:
            target = internal(url, response["Location"])
            if not target:
                return
            referrer, url = url, target
            continue
        if response.status_code == 200 and content_type.startswith(HTML):
            result.seen_names |= _page_names(url, _parse(response))
            if name and name not in keep:
                keep.add(name)
                visit.content = response.content.decode(response.charset or "utf-8")
        return


# The one record a read may write: the audit trail of an export of personal data (a
# signed-in person downloading the directory), counted apart from the other audit events.
READ_AUDITED = "personal_data_exported"


def _row_counts(connection) -> dict[str, int]:
    tables = [
        t
        for t in connection.introspection.django_table_names(only_existing=True)
        if not t.startswith(("territories_", "django_session", "axes_"))
    ]
    audit = connection.ops.quote_name("audit_auditevent")
    sql = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}"  # noqa: S608 - table names
        + (f" WHERE action <> '{READ_AUDITED}'" if connection.ops.quote_name(t) == audit else "")
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


# Values a careless or hostile person may type: far past a 64-bit integer, a date of year 1
# or 9999, a text of 100,000 characters. No field may crash on them, and no date or number
# field may accept them.
HUGE_NUMBER = "9" * 25
HOSTILE = {
    "number": [HUGE_NUMBER, "-" + HUGE_NUMBER],
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "time": ["99:99"],
    "select": [HUGE_NUMBER],
    "checkbox": [HUGE_NUMBER],
    "radio": [HUGE_NUMBER],
    "text": ["x" * 100_000, HUGE_NUMBER],
    "search": ["x" * 100_000],
    "textarea": ["x" * 100_000],
    "email": ["x" * 100_000 + "@exemple.fr"],
    "url": ["https://" + "x" * 100_000 + ".fr"],
    "tel": ["9" * 100_000],
}
# A form that accepts one of these in such a field has no bound on it.
MUST_REFUSE = {"number", "date", "datetime-local"}

# What a person would type in an empty field of each kind (a date: today), for the forms
# that get through neither empty nor with their initial values.
PLAUSIBLE_HOW = "valeurs plausibles"
PASSWORD = "Kenlabour-essai-2-parcours"  # typed in a submission that is rolled back
PLAUSIBLE = {
    "text": "Essai du parcours",
    "search": "Rennes",
    "textarea": "Essai du parcours de la démonstration.",
    "email": "essai@exemple.fr",
    "password": PASSWORD,
    "number": "1",
    "tel": "02 99 00 00 00",
    "url": "https://exemple.fr/",
}


def plausible_values(form: Form) -> list[tuple[str, str]]:
    """The form's initial values, each empty field of a kind a person types in filled as
    they would (the same password in both fields of a new password)."""
    today = timezone.localdate()
    typed = {
        **PLAUSIBLE,
        "date": today.isoformat(),
        "datetime-local": f"{today.isoformat()}T10:00",
        "time": "10:00",
    }
    return [
        (name, typed.get(form.kinds.get(name, ""), "") if value == "" else value)
        for name, value in form.fields
    ]


def hostile_attempts(form: Form) -> list[tuple[str, list[tuple[str, str]], bool]]:
    """For each field, the form's initial values with that field alone made hostile:
    (what was tried, the values, whether the form must refuse them)."""
    attempts = []
    for name, kind in form.kinds.items():
        if name == "csrfmiddlewaretoken" or kind not in HOSTILE:
            continue
        for value in HOSTILE[kind]:
            values = [(n, v) for n, v in form.fields if n != name] + [(name, value)]
            shown = value if len(value) < 30 else f"{value[:12]}…({len(value)} caractères)"
            attempts.append((f"{name}={shown}", values, kind in MUST_REFUSE))
    return attempts


def submit_forms(client, result: CrawlResult, fuzzed: set | None = None) -> None:
    """Send each form once empty and once with its initial values (and, unless its shape is
    already in `fuzzed`, once per field with a hostile value in it), each in a transaction
    that is rolled back. A form sent by POST that neither way got through is sent once more
    filled as a person would (once per shape in `fuzzed`, like the hostile values). A
    confirmation step is confirmed. A refusal (anything but a redirection) must leave every
    table as it was; no submission may crash; a date or number field must refuse what no one
    can mean. Where a successful submission leads is visited inside its transaction
    (`follow`), once per form and shape of destination."""
    connection = connections[DEFAULT_DB_ALIAS]
    keep = {v.url_name for v in result.pages()}
    followed_shapes: set[tuple] = set()
    tried = set() if fuzzed is None else fuzzed  # the shapes filled plausibly already
    for form in result.forms:
        csrf = [(n, v) for n, v in form.fields if n == "csrfmiddlewaretoken"]
        attempts = [("vide", csrf, False), ("valeurs initiales", form.fields, False)]
        if fuzzed is not None and form.shape() not in fuzzed:
            fuzzed.add(form.shape())
            attempts += hostile_attempts(form)
        plausible = plausible_values(form)
        if form.method == "post" and plausible != form.fields:
            attempts.insert(2, (PLAUSIBLE_HOW, plausible, False))
        got_through = False
        for how, values, must_refuse in attempts:
            if how == PLAUSIBLE_HOW:
                if got_through or (PLAUSIBLE_HOW, *form.shape()) in tried:
                    continue  # its success path is walked already
                tried.add((PLAUSIBLE_HOW, *form.shape()))
            submission = Submission(form, how, 0)
            try:
                with transaction.atomic():
                    before = _row_counts(connection)
                    if form.method == "post":
                        response = client.post(form.action, _as_dict(values))
                        if _is_confirmation(response):
                            confirmed = [*values, (CONFIRMED_FIELD, "1")]
                            response = client.post(form.action, _as_dict(confirmed))
                    else:
                        query = urlencode([(n, v) for n, v in values if n != "csrfmiddlewaretoken"])
                        sep = "&" if "?" in form.action else "?"
                        response = client.get(form.action + (sep + query if query else ""))
                    submission.status = response.status_code
                    if response.status_code in REDIRECTIONS:
                        got_through = True
                        submission.location = internal(form.action, response["Location"]) or ""
                        if name := url_name(submission.location):
                            result.seen_names.add(name)
                        submission.accepted_hostile = must_refuse and form.method == "post"
                        destination = (form.shape(), shape(submission.location))
                        if submission.location and destination not in followed_shapes:
                            followed_shapes.add(destination)
                            follow(client, result, submission.location, form.page, keep)
                    else:
                        after = _row_counts(connection)
                        submission.writes_on_refusal = sorted(
                            f"{t}: {before.get(t, 0)} → {n}"
                            for t, n in after.items()
                            if before.get(t, 0) != n
                        )
                    transaction.set_rollback(True)
            except Exception as exc:  # reported by the tests, with its traceback
                submission.status = 500
                submission.error = _describe(exc)
            result.submissions.append(submission)


def _is_confirmation(response) -> bool:
    return response.status_code == 200 and any(
        template.name == "web/confirm.html" for template in getattr(response, "templates", [])
    )


def _as_dict(values: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = defaultdict(list)
    for name, value in values:
        data[name].append(value)
    return dict(data)
