"""Loads the reference data shipped in orgs/data/ (see its ATTRIBUTION.md) into the database.

Used by data migrations, so every database — demo, production, test — has all 357 municipalities,
15 counties, the CPV and NUTS code lists, the sectors and each municipality's målform. The loaders take
the model classes as arguments so the migrations can pass their historical models. Running them again
updates in place.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

OSLO_COUNTY = "03"

# kommuner_2025.csv's `maalform` column, as Organization.Maalform values. The county files have none.
MAALFORMS = {"Bokmål": "bokmal", "Nynorsk": "nynorsk", "Nøytral": "neutral"}

# The sectors of the interchange format (shared/formats/cases.md), in display order.
SECTORS = [
    ("helse-omsorg", "Helse og omsorg", "Health and care"),
    ("bygg-eiendom", "Bygg og eiendom", "Buildings and property"),
    ("samferdsel", "Samferdsel", "Transport"),
    ("vann-avlop-avfall", "Vann, avløp og avfall", "Water, sewage and waste"),
    ("oppvekst-utdanning", "Oppvekst og utdanning", "Childhood and education"),
    ("administrasjon-digitalisering", "Administrasjon og digitalisering", "Administration and digitalisation"),
    ("kultur-idrett", "Kultur og idrett", "Culture and sport"),
    ("klima-energi", "Klima og energi", "Climate and energy"),
]


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(*, County, Organization, CpvCode, NutsRegion, Sector) -> None:  # noqa: N803
    for position, (slug, name_nb, name_en) in enumerate(SECTORS):
        Sector.objects.update_or_create(slug=slug, defaults={"name_nb": name_nb, "name_en": name_en,
                                                             "position": position})

    for row in read_csv("nuts_norway.csv"):
        NutsRegion.objects.update_or_create(code=row["code"], defaults={
            "level": int(row["level"]), "name": row["name"], "current": row["current_2024"] == "yes"})

    existing_cpv = set(CpvCode.objects.values_list("code", flat=True))
    CpvCode.objects.bulk_create([
        CpvCode(code=row["code"], name_en=row["name_en"], name_nb=row["name_nb"])
        for row in read_csv("cpv_2008_en_nb.csv") if row["code"] not in existing_cpv
    ])

    for row in read_csv("fylker_2024.csv"):
        county, _ = County.objects.update_or_create(number=row["fylkesnummer"], defaults={
            "name": row["fylke"], "official_name": row["official_name"],
            "nuts_code": row["nuts3_2024"], "population": int(row["population_2025_01_01"])})
        if county.number == OSLO_COUNTY:
            continue  # Oslo kommune is both municipality and county: one organization, made below.
        Organization.objects.update_or_create(kind="county", county=county, defaults={
            "name": f"{row['fylke']} fylkeskommune",
            "official_name": row["official_name"], "population": county.population,
            "nuts_code": county.nuts_code})

    counties = {county.number: county for county in County.objects.all()}
    for row in read_csv("kommuner_2025.csv"):
        Organization.objects.update_or_create(
            municipality_number=row["kommunenummer"],
            defaults={
                "kind": "municipality",
                "name": row["name_nb"],
                "official_name": row["official_name"] if row["official_name"] != row["name_nb"] else "",
                "county": counties[row["fylkesnummer"]],
                "population": int(row["population_2025_01_01"]),
                "size_class": row["size_class_simple"],
                "nuts_code": row["nuts3_2024"],
            },
        )


def load_maalforms(*, Organization) -> None:  # noqa: N803
    """Each municipality's målform. Its own step, after the field's migration (0004): the migration that
    loads the rest (0002) passes a model without the field."""
    numbers: dict[str, list[str]] = {}
    for row in read_csv("kommuner_2025.csv"):
        numbers.setdefault(MAALFORMS[row["maalform"]], []).append(row["kommunenummer"])
    for maalform, municipality_numbers in numbers.items():
        Organization.objects.filter(municipality_number__in=municipality_numbers).update(maalform=maalform)


# The sectors' names in nynorsk, where they differ from bokmål. Loaded after the field's migration (0005).
SECTORS_NN = {"bygg-eiendom": "Bygg og eigedom", "vann-avlop-avfall": "Vatn, avløp og avfall"}


def load_sector_names_nn(*, Sector) -> None:  # noqa: N803
    for slug, name_nb, _name_en in SECTORS:
        Sector.objects.filter(slug=slug).update(name_nn=SECTORS_NN.get(slug, name_nb))


def load_reference_data_now() -> None:
    """The same loads with the current models (the migrations pass their historical ones)."""
    from delbar.orgs import models

    load_reference_data(County=models.County, Organization=models.Organization, CpvCode=models.CpvCode,
                        NutsRegion=models.NutsRegion, Sector=models.Sector)
    load_maalforms(Organization=models.Organization)
    load_sector_names_nn(Sector=models.Sector)
