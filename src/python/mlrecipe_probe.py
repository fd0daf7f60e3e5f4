"""Reports the interpreter and the installed versions of the given top-level modules, for the
fingerprints of steps that run Python (src/python/environment.ts). Standard library only, and
nothing is imported: versions come from the packages' metadata, so a probe costs a fraction of
importing pandas. Usage: python mlrecipe_probe.py '["numpy", "sklearn"]'; prints one JSON object."""

import importlib.util
import json
import sys
from importlib import metadata

# Module name → distribution name, where they differ (the rest are looked up through
# packages_distributions(), which reads every installed package's metadata: slower).
KNOWN = {"sklearn": "scikit-learn", "yaml": "PyYAML", "PIL": "Pillow", "cv2": "opencv-python", "dateutil": "python-dateutil"}


def version_of(module, mapping):
    if importlib.util.find_spec(module) is None:
        return "missing"
    for dist in [KNOWN.get(module, module)] + mapping().get(module, []):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


def main():
    modules = json.loads(sys.argv[1])
    cache = {}

    def mapping():
        if "m" not in cache:
            cache["m"] = metadata.packages_distributions() if hasattr(metadata, "packages_distributions") else {}
        return cache["m"]

    stdlib = getattr(sys, "stdlib_module_names", frozenset())
    packages = {m: version_of(m, mapping) for m in modules if m not in stdlib and m not in sys.builtin_module_names}
    print(
        json.dumps(
            {
                "python": sys.executable,
                "version": ".".join(str(p) for p in sys.version_info[:3]),
                "packages": packages,
            }
        )
    )


if __name__ == "__main__":
    main()
