"""Observatory and case-diffusion latency at national scale: 357 municipalities, N published cases,
N adoptions, N notices (a tenth with an innovation signal), needs, questions and buyer groups, made
with bulk inserts (the observatory reads none of the search index). Pages and API endpoints are timed
through Django's test client in this process, with the learning network's cache warm and, separately,
the cost of computing it cold.
"""

import argparse
import datetime as dt
import random
import statistics
import time

from common import analyze, drop_database, percentile, setup_django, write_results


def populate(args, rng: random.Random) -> dict:
    from django.utils import timezone

    from delbar.cases.models import Case, Procedure
    from delbar.diffusion.models import Adoption
    from delbar.groups.models import BuyerGroup, GroupMember
    from delbar.needs.models import Need
    from delbar.notices.models import Notice
    from delbar.orgs.models import Organization, Sector
    from delbar.questions.models import Question

    buyers = list(Organization.objects.filter(kind__in=["municipality", "county"]).values_list(
        "pk", "population", "county_id"))
    ids = [pk for pk, _pop, _county in buyers]
    # Larger buyers publish and adopt more often, as they do.
    weights = [(population or 50_000) ** 0.6 for _pk, population, _county in buyers]
    counties = {pk: county for pk, _pop, county in buyers}
    sectors = list(Sector.objects.values_list("pk", flat=True))
    procedures = Procedure.values
    started = time.perf_counter()
    cases = []
    for number in range(args.cases):
        published = dt.datetime(2012, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(14 * 365))
        cases.append(Case(title=f"Erfaring {number}", summary="Generert for måling.", status="published",
                          sector_id=rng.choice(sectors), procedure=rng.choice(procedures),
                          lead_buyer_id=rng.choices(ids, weights)[0], published_at=published,
                          year=published.year - rng.randint(0, 1)))
    Case.objects.bulk_create(cases, batch_size=2000)
    case_rows = list(Case.objects.values_list("pk", "lead_buyer_id", "published_at"))
    today = timezone.localdate()
    pairs, adoptions = set(), []
    while len(adoptions) < args.adoptions:
        case_id, lead, published = rng.choice(case_rows)
        adopter = rng.choices(ids, weights)[0]
        if adopter == lead or (case_id, adopter) in pairs:
            continue
        pairs.add((case_id, adopter))
        span = max((today - published.date()).days, 2)
        adoptions.append(Adoption(case_id=case_id, organization_id=adopter,
                                  adopted_on=published.date() + dt.timedelta(days=rng.randrange(1, span)),
                                  state=rng.choices(["confirmed", "declared", "proposed", "dismissed"],
                                                    [70, 20, 7, 3])[0], route="pilot"))
    Adoption.objects.bulk_create(adoptions, batch_size=5000)
    notices = []
    for number in range(args.notices):
        organization = rng.choices(ids, weights)[0] if rng.random() < 0.5 else None
        notices.append(Notice(
            key=f"bench:{number}", format="eforms", notice_id=f"bench-{number}", version="1",
            title=f"Kunngjøring {number}",
            publication_date=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000)),
            signal=rng.choices(["", "some", "strong"], [90, 7, 3])[0], procedure=rng.choice(
                ["open", "restricted", "neg-w-call", "comp-dial", "innovation"]),
            organization_id=organization, county_id=counties.get(organization) if organization else None,
            fetched_at=timezone.now(), raw=b"", raw_sha256=""))
        if len(notices) == 10_000:
            Notice.objects.bulk_create(notices)
            notices = []
    Notice.objects.bulk_create(notices)
    needs = Need.objects.bulk_create([
        Need(organization_id=rng.choices(ids, weights)[0], title=f"Behov {n}", description="Generert.",
             sector_id=rng.choice(sectors)) for n in range(args.needs)])
    Question.objects.bulk_create([
        Question(case_id=rng.choice(case_rows)[0], organization_id=rng.choices(ids, weights)[0], body="Hvordan?")
        for _ in range(args.questions)])
    for need in needs[: args.groups]:
        group = BuyerGroup.objects.create(name=need.title, need=need, lead_id=need.organization_id)
        members = {need.organization_id, *rng.sample(ids, 3)}
        GroupMember.objects.bulk_create([GroupMember(group=group, organization_id=org) for org in members])
    return {"seconds": time.perf_counter() - started, "case": _most_adopted()}


def _most_adopted() -> int:
    from django.db.models import Count

    from delbar.cases.models import Case

    return Case.objects.annotate(n=Count("adoptions")).order_by("-n").values_list("pk", flat=True)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--adoptions", type=int, default=50_000)
    parser.add_argument("--notices", type=int, default=200_000)
    parser.add_argument("--needs", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    args = parser.parse_args()
    setup_django("observatory")
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    from delbar.diffusion import freshness, network

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    made = populate(args, random.Random(42))
    analyze()
    case = made["case"]
    cold = []
    for _ in range(5):
        cache.clear()
        started = time.perf_counter()
        network.centrality()
        cold.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    for _ in range(20):
        freshness.fingerprint()
    fingerprint = (time.perf_counter() - started) * 1000 / 20

    pages = [
        ("observatory", "/observatory/"),
        ("observatory, sector + county", "/observatory/?sector=helse-omsorg&county=46"),
        ("observatory, small, by county, map of adoptions", "/observatory/?size_class=small&by=county&map=adoptions"),
        ("observatory, 2020–2022, by procedure", "/observatory/?since=2020&until=2022&by=procedure"),
        ("API: every figure", "/api/observatory"),
        ("API: map", "/api/observatory/map"),
        ("CSV: spread (all cases)", "/observatory/spread.csv"),
        ("case diffusion page (most adopted case)", f"/cases/{case}/diffusion/"),
        ("API: case diffusion", f"/api/cases/{case}/diffusion"),
    ]
    client = Client()
    rows = []
    for name, url in pages:
        client.get(url)
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        rows.append((name, len(queries), percentile(timings, 0.5), percentile(timings, 0.95),
                     percentile(timings, 0.99), statistics.mean(timings)))
    # Cold: every figure computed from the database (the first view after any change).
    cold_pages = []
    for name, url in pages[:5]:
        timings = []
        for _ in range(max(3, args.requests // 5)):
            cache.clear()
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        cold_pages.append((f"{name} — cold", "", percentile(timings, 0.5), percentile(timings, 0.95),
                           percentile(timings, 0.99), statistics.mean(timings)))
    rows += cold_pages
    # After a new need (or case, or notice): the figures are computed again, the network stays cached.
    from delbar.needs.models import Need
    from delbar.orgs.models import Organization

    poster = Organization.objects.municipalities().first()
    for name, url in pages[:1]:
        timings = []
        for number in range(max(3, args.requests // 5)):
            Need.objects.create(organization=poster, title=f"Nytt behov {number}", description="Generert.")
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        rows.append((f"{name} — first view after a new need", "", percentile(timings, 0.5),
                     percentile(timings, 0.95), percentile(timings, 0.99), statistics.mean(timings)))
    lines = [f"Data: {args.cases:,} published cases, {args.adoptions:,} adoptions (90 % counted), "
             f"{args.notices:,} notices (10 % with a signal), {args.needs:,} needs, {args.questions:,} questions, "
             f"{args.groups} buyer groups; 357 municipalities. Made in {made['seconds']:.0f} s. "
             f"{args.requests} requests per page.", "",
             f"Learning network computed cold (cache cleared): median {statistics.median(cold):.0f} ms; "
             f"the data fingerprint that keys every cached figure: {fingerprint:.1f} ms a request.", "",
             "Warm rows: the figures cached (any view after the first since the data last changed). Cold rows: "
             "the cache cleared before every request, so every figure, the learning network included, is "
             "computed from the database. 'After a new need': the figures computed again, the network "
             "still cached (it depends only on adoptions, questions and buyer groups).", "",
             "| page | queries | p50 ms | p95 ms | p99 ms | mean ms |", "|---|---|---|---|---|---|"]
    lines += [f"| {n} | {q} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {mean:.1f} |" for n, q, p50, p95, p99, mean in rows]
    write_results("observatory", "bench_observatory: observatory and case diffusion latency", lines)
    drop_database()


if __name__ == "__main__":
    main()
