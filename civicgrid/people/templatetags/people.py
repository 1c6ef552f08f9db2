from django import template

register = template.Library()


@register.filter
def age(person, today):
    """A person's age in whole years on `today` (None without a birth date)."""
    return person.age(today)


DETAILS = (
    "former_name",
    "ethnicity",
    "political_status",
    "education",
    "marital_status",
    "occupation",
    "employer",
    "registered_address",
)


@register.filter
def details(person):
    """The person's filled optional fields as (label, value)."""
    return [
        (person._meta.get_field(name).verbose_name, getattr(person, name))
        for name in DETAILS
        if getattr(person, name)
    ]
