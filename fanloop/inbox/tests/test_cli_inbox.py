"""``fanloop inbox classify FILE --out OUT`` and ``fanloop inbox retrain``."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanloop.core.permissions import Role
from fanloop.inbox.labels import Intent, Sentiment
from fanloop.inbox.management.commands import inbox as inbox_command
from fanloop.inbox.models import LabelCorrection, WorkspaceClassifier

REVIEWS = [
    ("衣服", "1", "质量很好，穿着舒服，会回购"),
    ("衣服", "0", "质量太差了，申请退货"),
    ("手机", "0", "快递一周还没到，什么情况"),
    ("手机", "1", "屏幕清晰，电池耐用，推荐"),
    ("水果", "", ""),
]


def write_csv(path, rows=REVIEWS, header=("cat", "label", "review"), encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def classify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("inbox", "classify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_classify_adds_three_columns_to_every_row(tmp_path, encoding):
    # Given a review export saved as Excel or a script would save it
    source = write_csv(tmp_path / "reviews.csv", encoding=encoding)
    out = tmp_path / "labelled.csv"
    # When it is classified
    stdout, stderr = classify(str(source), "--out", str(out))
    # Then every row keeps its columns and gains sentiment, score and intent
    rows = read_csv(out)
    assert list(rows[0]) == ["cat", "label", "review", "sentiment", "sentiment_score", "intent"]
    assert [r["review"] for r in rows] == [r[2] for r in REVIEWS]
    assert [r["sentiment"] for r in rows] == [
        Sentiment.POSITIVE,
        Sentiment.NEGATIVE,
        Sentiment.NEGATIVE,
        Sentiment.POSITIVE,
        Sentiment.NEUTRAL,
    ]
    assert rows[1]["intent"] == Intent.AFTER_SALES
    assert rows[4]["intent"] == Intent.OTHER
    assert all(0.0 <= float(r["sentiment_score"]) <= 1.0 for r in rows)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese right
    assert "Classified 5 rows" in stdout
    assert "rows/s" in stderr
    assert leftovers(tmp_path) == []


def test_classify_takes_another_column_and_prints_json(tmp_path):
    source = write_csv(
        tmp_path / "dm.csv", rows=[("1", "求链接！"), ("2", "在吗")], header=("id", "text")
    )
    out = tmp_path / "out.csv"
    stdout, stderr = classify(
        str(source), "--column", "text", "--out", str(out), "--json", "--no-progress"
    )
    assert json.loads(stdout)["rows"] == 2
    assert stderr == ""
    rows = read_csv(out)
    assert [r["intent"] for r in rows] == [Intent.PURCHASE_INTENT, Intent.INQUIRY]


def test_classifying_its_own_output_again_replaces_the_labels(tmp_path):
    first = tmp_path / "first.csv"
    classify(str(write_csv(tmp_path / "in.csv")), "--out", str(first), "--no-progress")
    second = tmp_path / "second.csv"
    classify(str(first), "--out", str(second), "--no-progress")
    assert read_csv(second) == read_csv(first)


def test_large_files_are_streamed_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(inbox_command, "BATCH", 7)
    rows = [("书籍", "1", f"第{i}本书很好看") for i in range(50)]
    source = write_csv(tmp_path / "big.csv", rows=rows)
    out = tmp_path / "out.csv"
    classify(str(source), "--out", str(out), "--no-progress")
    assert len(read_csv(out)) == 50


def test_missing_file_is_a_clear_error(tmp_path):
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="No such file"):
        classify(str(tmp_path / "nope.csv"), "--out", str(out))
    assert not out.exists()


def test_missing_column_lists_the_columns(tmp_path):
    source = write_csv(tmp_path / "in.csv", header=("cat", "label", "评论"))
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=r"no column 'review'.*'cat', 'label', '评论'"):
        classify(str(source), "--out", str(out))
    assert not out.exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "data",
    [
        "review\n很好\n".encode("utf-16"),
        b"review\n\x81\x30\xff\xfe\x80\x80\n",
    ],
)
def test_unreadable_encoding_is_a_clear_error(tmp_path, data):
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="UTF-8"):
        classify(str(source), "--out", str(out))
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_a_bad_byte_deep_in_the_file_leaves_nothing_behind(tmp_path, monkeypatch):
    # Given a file whose first part is fine UTF-8 and whose end is not
    monkeypatch.setattr(inbox_command, "SNIFF_BYTES", 64)
    monkeypatch.setattr(inbox_command, "BATCH", 2)
    good = "review\n" + "".join(f"很好用{i}\n" for i in range(200))
    source = tmp_path / "in.csv"
    source.write_bytes(good.encode() + b"\xff\xfe\n")
    out = tmp_path / "out.csv"
    out.write_text("an older result\n")
    # When it is classified, the error names the problem
    with pytest.raises(CommandError, match="not valid utf-8"):
        classify(str(source), "--out", str(out), "--no-progress")
    # and neither a partial file nor a temporary one is left; the old output is intact
    assert out.read_text() == "an older result\n"
    assert leftovers(tmp_path) == []


def test_out_must_not_be_the_input(tmp_path):
    source = write_csv(tmp_path / "in.csv")
    before = source.read_bytes()
    for same in (str(source), str(tmp_path / "." / "in.csv")):
        with pytest.raises(CommandError, match="must not be the input"):
            classify(str(source), "--out", same)
    assert source.read_bytes() == before


def test_out_folder_must_exist(tmp_path):
    source = write_csv(tmp_path / "in.csv")
    with pytest.raises(CommandError, match="does not exist"):
        classify(str(source), "--out", str(tmp_path / "missing" / "out.csv"))


def test_empty_file_is_a_clear_error(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(b"")
    with pytest.raises(CommandError, match="no header row"):
        classify(str(source), "--out", str(tmp_path / "out.csv"))
    assert leftovers(tmp_path) == []


# retrain ---------------------------------------------------------------------------


def add_corrections(workspace, user, n=12):
    texts = [f"这个颜色绝了{i}号" for i in range(n)]
    LabelCorrection.objects.bulk_create(
        LabelCorrection(
            workspace=workspace,
            text=text,
            sentiment=Sentiment.POSITIVE,
            intent=Intent.PRAISE,
            corrected_by=user,
        )
        for text in texts
    )


def test_retrain_prints_before_and_after(db, workspace, member_with_role):
    operator = member_with_role(Role.OPERATOR)
    add_corrections(workspace, operator)
    out = StringIO()
    call_command(
        "inbox",
        "retrain",
        "--workspace",
        workspace.slug,
        "--user",
        operator.username,
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["version"] == 1
    assert data["corrections_used"] == 12
    assert data["sentiment_accuracy_after"] >= data["sentiment_accuracy_before"]
    assert WorkspaceClassifier.objects.get(workspace=workspace).active

    text = StringIO()
    call_command(
        "inbox", "retrain", "--workspace", workspace.slug, "--user", operator.username, stdout=text
    )
    assert "classifier v2 is active" in text.getvalue()
    assert "sentiment accuracy on the corrections: before" in text.getvalue()


def test_retrain_refuses_users_without_the_permission(db, workspace, member_with_role, make_user):
    add_corrections(workspace, None)
    viewer = member_with_role(Role.VIEWER)
    outsider = make_user("outsider")
    for user in (viewer, outsider):
        with pytest.raises(CommandError, match="may not retrain"):
            call_command("inbox", "retrain", "--workspace", workspace.slug, "--user", user.username)
    assert not WorkspaceClassifier.objects.exists()


def test_retrain_errors(db, workspace, admin_user):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("inbox", "retrain", "--workspace", "nope", "--user", admin_user.username)
    with pytest.raises(CommandError, match="No user"):
        call_command("inbox", "retrain", "--workspace", workspace.slug, "--user", "nobody")
    with pytest.raises(CommandError, match="at least 10"):
        call_command(
            "inbox", "retrain", "--workspace", workspace.slug, "--user", admin_user.username
        )


def test_classify_with_a_workspace_model(db, tmp_path, workspace, admin_user):
    # Given a workspace whose operators taught it a phrase
    LabelCorrection.objects.bulk_create(
        LabelCorrection(workspace=workspace, text=text, sentiment=Sentiment.NEGATIVE)
        for text in [f"这货真是一言难尽{i}" for i in range(10)] + ["一言难尽"] * 3
    )
    call_command(
        "inbox",
        "retrain",
        "--workspace",
        workspace.slug,
        "--user",
        admin_user.username,
        stdout=StringIO(),
    )
    source = write_csv(tmp_path / "in.csv", rows=[("x", "", "真是一言难尽啊")])
    plain, own = tmp_path / "plain.csv", tmp_path / "own.csv"
    classify(str(source), "--out", str(plain), "--no-progress")
    classify(str(source), "--out", str(own), "--workspace", workspace.slug, "--no-progress")
    assert float(read_csv(own)[0]["sentiment_score"]) < float(read_csv(plain)[0]["sentiment_score"])
    assert read_csv(own)[0]["sentiment"] == Sentiment.NEGATIVE
