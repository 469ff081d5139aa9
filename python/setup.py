"""Bundles libdncert into the package when it is built (pip install ./python).

The shared libraries libdncert.so and libdncert_verifier.so come from DNCERT_LIB_DIR, or else
from the checkout's build/python-lib/ (made by any build of the checkout: cmake --build
build). They are copied into dncert/_lib/, where dncert/_lib.py looks first; they find each
other there through their RUNPATH $ORIGIN. Without them the package is installed all the
same and looks for the library as _lib.py says (DNCERT_LIB, the system's libraries).
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

LIBS = ("libdncert.so", "libdncert_verifier.so")


class build_py_with_lib(build_py):
    def run(self):
        super().run()
        here = os.path.dirname(os.path.abspath(__file__))
        src = os.environ.get("DNCERT_LIB_DIR") or os.path.join(here, os.pardir, "build", "python-lib")
        if not all(os.path.isfile(os.path.join(src, lib)) for lib in LIBS):
            if os.environ.get("DNCERT_LIB_DIR"):
                raise SystemExit("DNCERT_LIB_DIR=%s: no %s there" % (src, " and ".join(LIBS)))
            print("dncert: no built libdncert in %s; installing the package without it" % src)
            return
        dest = os.path.join(self.build_lib, "dncert", "_lib")
        os.makedirs(dest, exist_ok=True)
        for lib in LIBS:
            shutil.copy2(os.path.join(src, lib), os.path.join(dest, lib))


setup(cmdclass={"build_py": build_py_with_lib})
