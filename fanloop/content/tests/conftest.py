import pytest

from fanloop.content import services
from fanloop.core.permissions import Role

CLEAN_BODY = "春季新品上市，轻薄透气，适合通勤穿搭。欢迎来店里看看。"


@pytest.fixture
def writer(member_with_role):
    return member_with_role(Role.CONTENT)


@pytest.fixture
def reviewer(member_with_role):
    return member_with_role(Role.REVIEWER)


@pytest.fixture
def operator(member_with_role):
    return member_with_role(Role.OPERATOR)


@pytest.fixture
def make_item(writer, workspace):
    def make(title="春季新品", platforms=("weibo",), **data):
        data.setdefault("content_type", "image_text")
        data.setdefault("purpose", "product_intro")
        return services.create_item(
            actor=writer,
            workspace=workspace,
            data={"title": title, **data},
            platforms=list(platforms),
        )

    return make


@pytest.fixture
def variant(make_item, writer):
    item = make_item()
    found = item.variants.get()
    return services.update_variant(actor=writer, variant=found, data={"body": CLEAN_BODY})


@pytest.fixture
def review_chain(admin_user, workspace):
    """Two steps: the content lead (marketing), then compliance (reviewer)."""
    return services.set_review_steps(
        actor=admin_user,
        workspace=workspace,
        steps=[
            {"name": "Content lead", "role": Role.MARKETING},
            {"name": "Compliance", "role": Role.REVIEWER},
        ],
    )
