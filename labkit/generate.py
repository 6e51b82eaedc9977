"""`lab generate`: write the files that follow from the schema (plugins/plugin_utils/cluster_schema.py and
role_schema.py): each role's meta/argument_specs.yml options (nested suboptions included), its defaults/main.yml
and the option tables of its README. tests/unit/test_generated.py fails when a committed file differs from what
this writes, so an option is declared in one place."""

from __future__ import annotations

import sys
from pathlib import Path

from . import config

ROOT = config.PROJECT
BEGIN, END = "<!-- generated from the schema by `./lab generate`: edit the schema, not this table -->", \
    "<!-- end of generated table -->"


def _schema():
    tree = ROOT / ".collections"
    link = tree / "ansible_collections" / "lvs" / "cluster"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT, target_is_directory=True)
    if str(tree) not in sys.path:
        sys.path.insert(0, str(tree))
    from ansible_collections.lvs.cluster.plugins.plugin_utils import argument_specs, cluster_schema, role_schema
    return argument_specs, cluster_schema, role_schema


def role_options() -> dict:
    """{role: {option: Field}} of every role whose options come from the schema."""
    _specs, cluster_schema, role_schema = _schema()
    return {"lvs": {**cluster_schema.CLUSTER, **cluster_schema.REALSERVER, **cluster_schema.DIRECTOR},
            **role_schema.ROLES}


DEFAULTS_HEADER = {
    "lvs": "The cluster model shared by the validate, director, realserver and keepalived roles: describe the\n"
           "cluster once (usually in group_vars/all); see roles/lvs/README.md.",
    "director": "Options of the director role (the cluster model comes from the lvs role).",
    "keepalived": "Options of the keepalived role (the cluster model comes from the lvs role).",
    "realserver": "Options of the realserver role (the cluster model comes from the lvs role; the forwarding "
                  "method of a\nreal server is the one of the services it serves).",
}
GENERATED_NOTE = ("Generated from plugins/plugin_utils/%s by `./lab generate` (tests/unit/test_generated.py keeps "
                  "it equal):\nedit the schema, not this file.")


def _yaml(data) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        def increase_indent(self, flow=False, indentless=False):  # sequences indented under their key (yamllint)
            return super().increase_indent(flow, False)

        def ignore_aliases(self, data):
            return True

    def text(dumper, value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)

    return yaml.dump(data, Dumper=Dumper, sort_keys=False, width=116, allow_unicode=True, default_flow_style=False)


def argument_specs(role: str, current: str) -> str:
    """The role's meta/argument_specs.yml with the options of every entry point that takes the role's options
    (main, and those that listed them too) replaced by the schema's."""
    import yaml
    specs, _c, _r = _schema()
    data = yaml.safe_load(current)
    options = specs.options(role_options()[role])
    points = data["argument_specs"]
    before = points["main"].get("options")
    for name, point in points.items():
        if name == "main" or (before is not None and point.get("options") == before):
            point["options"] = options
    source = "cluster_schema.py" if role == "lvs" else "role_schema.py"
    head = "".join(f"# {line}\n" for line in (GENERATED_NOTE % source).splitlines())
    return "---\n" + head + _yaml(data)


def defaults(role: str) -> str:
    specs, _c, _r = _schema()
    source = "cluster_schema.py" if role == "lvs" else "role_schema.py"
    fields = {k: v for k, v in role_options()[role].items() if role != "lvs" or v.scope == "cluster"}
    return specs.defaults_text(DEFAULTS_HEADER[role] + "\n" + GENERATED_NOTE % source, fields)


def table(role: str) -> str:
    """The README table of the role's options: name, scope, default, meaning."""
    import json
    specs, _c, _r = _schema()
    from ansible_collections.lvs.cluster.plugins.plugin_utils.fields import MISSING
    rows = ["| variable | scope | default | meaning |", "|---|---|---|---|"]
    for name, f in role_options()[role].items():
        default = "required" if f.required else "" if f.default is MISSING or f.default is None else \
            "`%s`" % json.dumps(f.default)
        meaning = specs.sentence(f.description).replace("|", "\\|")
        rows.append(f"| `{name}` | {f.scope} | {default} | {meaning} |")
    return "\n".join(rows)


def contract_table() -> str:
    """The table of lvs_model and lvs_host (plugins/plugin_utils/model_contract.py)."""
    _schema()
    from ansible_collections.lvs.cluster.plugins.plugin_utils import model_contract as M
    rows = ["| key | type | meaning |", "|---|---|---|"]
    rows += [f"| `lvs_model.{k}` | {t} | {m} |" for k, (t, m) in M.MODEL.items()]
    rows += [f"| `lvs_host.{k}` | {t} | {m}{' (directors)' if k in M.DIRECTOR_ONLY else ''} |"
             for k, (t, m) in M.HOST.items()]
    return "\n".join(rows)


def _replace(text: str, begin: str, end: str, table_text: str, where: str) -> str:
    if begin not in text:
        raise SystemExit(f"{where}: no generated table (the lines {begin!r} and {end!r})")
    head, rest = text.split(begin, 1)
    _old, tail = rest.split(end, 1)
    return head + begin + "\n" + table_text + "\n" + end + tail


CONTRACT_BEGIN = "<!-- generated from plugins/plugin_utils/model_contract.py by `./lab generate` -->"


def readme(role: str, current: str) -> str:
    text = _replace(current, BEGIN, END, table(role), f"roles/{role}/README.md")
    if role == "lvs":
        text = _replace(text, CONTRACT_BEGIN, END, contract_table(), "roles/lvs/README.md")
    return text


def outputs() -> dict[Path, str]:
    """{file: the content it should have}."""
    out = {}
    for role in role_options():
        base = ROOT / "roles" / role
        out[base / "meta/argument_specs.yml"] = argument_specs(role, (base / "meta/argument_specs.yml").read_text())
        out[base / "defaults/main.yml"] = defaults(role)
        out[base / "README.md"] = readme(role, (base / "README.md").read_text())
    return out


def stale() -> list[Path]:
    return [p for p, text in outputs().items() if not p.exists() or p.read_text() != text]


def main() -> None:
    for path, text in outputs().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")

