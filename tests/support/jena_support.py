"""Apache Jena's command-line tools (`rsparql`, `arq`) from Debian's libapache-jena-java jars, as
the tests run them. (No tests here.)

Debian ships the jars but no `rsparql`/`arq` scripts, so the classpath is built here the way
/work/shared/tools/jena.sh builds it: every unversioned jena-*.jar, then the libraries Jena needs
(Debian's names). Debian's jena-core moved its bundled xerces classes to package ``xerces.*`` but
left their message bundles under ``org/apache/jena/ext/xerces/impl/...``, so every command dies at
start-up (ExceptionInInitializerError in XSSimpleTypeDecl); the bundles are copied to
``xerces/impl/...`` in a folder put first on the classpath.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

JARS = Path("/usr/share/java")
LIBRARIES = ("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
             "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpclient-cache",
             "httpcore", "jackson-annotations", "jackson-core", "jackson-databind", "jakarta.json-api",
             "jsonld-java", "protobuf", "thrift", "titanium-json-ld", "jcl-over-slf4j", "slf4j-api",
             "slf4j-simple")
BUNDLES = "org/apache/jena/ext/xerces/impl/"
LOGGING = ("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",)


@dataclass(frozen=True)
class Jena:
    """Jena's command-line classes with a classpath that starts."""

    classpath: str

    def run(self, main: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """`java -cp ... MAIN ARGS` (e.g. ``arq.rsparql``, ``arq.sparql``), its output as text."""
        return subprocess.run(["java", *LOGGING, "-cp", self.classpath, main, *args],
                              capture_output=True, text=True, timeout=timeout, check=False)


def _patch(folder: Path) -> Path:
    """The xerces message bundles where Debian's relocated classes look for them."""
    with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(BUNDLES) and name.endswith(".properties"):
                target = folder / "xerces" / "impl" / name[len(BUNDLES):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


@pytest.fixture(scope="session")
def jena(tmp_path_factory: pytest.TempPathFactory) -> Jena:
    """Jena from Debian; fails (never skips) when it is not installed: .ci/run installs it."""
    missing = [str(JARS / f"{n}.jar") for n in ("jena-core", "jena-arq", "jena-cmds")
               if not (JARS / f"{n}.jar").exists()]
    if not shutil.which("java"):
        missing.append("java")
    if missing:
        pytest.fail(f"Apache Jena is not installed (missing: {', '.join(missing)}): "
                    "apt-get install libapache-jena-java (.ci/run does)")
    parts = [str(_patch(tmp_path_factory.mktemp("jena-patch")))]
    parts += [str(j) for j in sorted(JARS.glob("jena-*.jar")) if not j.stem.split("-")[-1][:1].isdigit()]
    parts += [str(JARS / f"{n}.jar") for n in LIBRARIES if (JARS / f"{n}.jar").exists()]
    return Jena(":".join(parts))
