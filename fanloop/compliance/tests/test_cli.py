"""``fanloop compliance check FILE``."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("compliance", "check", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_text_file_with_blocking_finding_exits_1(tmp_path):
    path = tmp_path / "post.txt"
    path.write_text("全网最低价！第一次用就爱上", encoding="utf-8")
    code, out, err = run(str(path))
    assert code == 1
    assert "absolute_terms" in out
    assert "全网最低价" in out
    assert "0-5" in out
    assert "Blocking" in err


def test_clean_file_exits_0(tmp_path):
    path = tmp_path / "post.txt"
    path.write_text("第一次来这家店，最近很喜欢。", encoding="utf-8")
    code, out, _err = run(str(path))
    assert code == 0
    assert "No findings." in out


def test_csv_rows_as_json_with_offsets(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("id,text\n1,很好的面霜\n2,这是最好的面霜\n", encoding="utf-8-sig")
    code, out, _err = run(str(path), "--json")
    assert code == 1
    rows = json.loads(out)
    assert rows == [
        {
            "row": 3,
            "rule": "absolute_terms",
            "severity": "block",
            "start": 2,
            "end": 4,
            "matched": "最好",
            "category": "superlative_zui",
            "explanation": rows[0]["explanation"],
            "source": "《中华人民共和国广告法》第九条第三项",
            "suggestion": "很好/更好",
        }
    ]


def test_context_options_apply(tmp_path):
    path = tmp_path / "post.txt"
    path.write_text("加我微信领取", encoding="utf-8")
    code, out, _err = run(str(path), "--platform", "xiaohongshu", "--json")
    assert code == 0
    assert {row["rule"] for row in json.loads(out)} == {"platform_traffic"}
    code, out, _err = run(str(path), "--purpose", "hard_ad", "--json")
    assert code == 1
    assert json.loads(out)[0]["rule"] == "ad_label"


def test_csv_without_text_column_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"no 'text' column.*a, b"):
        run(str(path))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "nope.txt"))
