"""``python -m nn``: kept as a name for the main job, which lives in the application
package ``gradtable`` (it needs ``optim`` as well as ``nn``). This file only launches it
as a program; no part of the ``nn`` library imports the application."""
import runpy

runpy.run_module("gradtable", run_name="__main__", alter_sys=True)
