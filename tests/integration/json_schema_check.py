# The subset of JSON Schema doc/json-schema.json uses (type, required, properties,
# additionalProperties:false, items, enum, const, minimum, oneOf, allOf, $ref), so the
# tests need nothing beyond python3. Usage: python3 json_schema_check.py SCHEMA DOC [REF]
# (REF: the part of SCHEMA DOC is checked against, e.g. '#/$defs/run_document').
import json, sys
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
def is_type(v, t):
    if t == "integer": return isinstance(v, int) and not isinstance(v, bool)
    if t == "number": return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])
def errors(v, s, at):
    if "$ref" in s:
        node = schema
        for part in s["$ref"].lstrip("#/").split("/"): node = node[part]
        yield from errors(v, node, at)
    for sub in s.get("allOf", []): yield from errors(v, sub, at)
    if "oneOf" in s:
        n = sum(1 for sub in s["oneOf"] if not list(errors(v, sub, at)))
        if n != 1: yield f"{at}: matches {n} of oneOf"
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(is_type(v, t) for t in ts): yield f"{at}: {v!r} is not {ts}"; return
    if "const" in s and v != s["const"]: yield f"{at}: {v!r} != {s['const']!r}"
    if "enum" in s and v not in s["enum"]: yield f"{at}: {v!r} not in {s['enum']}"
    if "minimum" in s and isinstance(v, (int, float)) and not isinstance(v, bool) and v < s["minimum"]:
        yield f"{at}: {v} < {s['minimum']}"
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v: yield f"{at}: missing {k}"
        props = s.get("properties", {})
        for k, sub in props.items():
            if k in v: yield from errors(v[k], sub, f"{at}.{k}")
        if s.get("additionalProperties") is False:
            for k in v:
                if k not in props: yield f"{at}: unexpected {k}"
    if isinstance(v, list) and "items" in s:
        for i, item in enumerate(v): yield from errors(item, s["items"], f"{at}[{i}]")
errs = list(errors(doc, {"$ref": sys.argv[3]} if len(sys.argv) > 3 else schema, "$"))
for e in errs: print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
