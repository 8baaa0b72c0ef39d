"""Dagster side of `npm run bench -- --peers` (benches/src/peers/). Reads a generated graph (JSON:
keys, deps per asset, sources) and times, in this one process with a SQLite instance in a temporary
DAGSTER_HOME and Dagster's default in-process executor (`dagster.materialize()`):

- load: `Definitions` of every asset built in a loop + `resolve_asset_graph()` (graph build);
- materialize: every asset (sources are observable source assets, observed first), when asked;
- status: after one source's data version changes, `observe()` of that source + the stale status
  of every asset (`CachingStaleStatusResolver`, as the UI computes it), when everything was materialized;
- rerun: `materialize()` of the changed source's downstream (what a Dagster user runs).

Assets are trivial (`deps=`, no inputs loaded, return None: nothing is stored), with a code version.
Prints one JSON object on stdout.
"""

import json
import sys
import tempfile
import time

T0 = time.perf_counter()
import dagster as dg  # noqa: E402
from dagster._core.definitions.data_version import StaleStatus  # noqa: E402
from dagster._core.definitions.observe import observe  # noqa: E402
from dagster._utils.test.data_versions import get_stale_status_resolver  # noqa: E402

IMPORT_S = time.perf_counter() - T0


def make_source(key, versions):
    @dg.observable_source_asset(key=key)
    def _source():
        return dg.DataVersion(versions.get(key, "v0"))

    return _source


def make_asset(key, dep_keys):
    @dg.asset(key=key, deps=dep_keys, code_version="v1")
    def _asset() -> None:
        return None

    return _asset


def main():
    spec = json.load(open(sys.argv[1]))
    do_materialize = spec["materialize"]
    keys, deps, sources, changed = spec["keys"], spec["deps"], spec["sources"], spec["changed"]
    out = {"dagster": dg.__version__, "python": sys.version.split()[0], "import_s": IMPORT_S}
    versions = {}

    t = time.perf_counter()
    akeys = [dg.AssetKey(k.split("/")) for k in keys]
    defs = []
    for v, key in enumerate(akeys):
        if sources[v]:
            defs.append(make_source(key, versions))
        else:
            defs.append(make_asset(key, [akeys[u] for u in deps[v]]))
    definitions = dg.Definitions(assets=defs)
    graph = definitions.resolve_asset_graph()
    out["load_s"] = time.perf_counter() - t
    out["graph_assets"] = len(list(graph.get_all_asset_keys()))

    with tempfile.TemporaryDirectory() as home:
        instance = dg.DagsterInstance.local_temp(home)
        source_defs = [d for v, d in enumerate(defs) if sources[v]]
        changed_key = akeys[changed]
        if do_materialize:
            t = time.perf_counter()
            observe(source_defs, instance=instance)
            result = dg.materialize(defs, instance=instance)
            out["materialize_s"] = time.perf_counter() - t
            out["materialized"] = len(result.get_asset_materialization_events())

        versions[changed_key] = "v1"
        t = time.perf_counter()
        observe([defs[changed]], instance=instance)
        out["observe_one_s"] = time.perf_counter() - t
        if do_materialize:
            t = time.perf_counter()
            resolver = get_stale_status_resolver(instance, defs)
            stale = 0
            for v, key in enumerate(akeys):
                if not sources[v] and resolver.get_status(key) != StaleStatus.FRESH:
                    stale += 1
            out["status_s"] = time.perf_counter() - t
            out["stale"] = stale

        selection = dg.AssetSelection.assets(changed_key).downstream(include_self=False)
        t = time.perf_counter()
        result = dg.materialize(defs, instance=instance, selection=selection)
        out["rerun_s"] = time.perf_counter() - t
        out["rerun_materialized"] = len(result.get_asset_materialization_events())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
