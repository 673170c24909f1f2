"""Import and export of the service's data as CSV and JSON files.

Kinds (one file each, imported in this order): ``areas``, ``courses``,
``workers``, ``availability``, ``absences``, ``training``, ``clients``,
``care_plans``. A file is imported whole or not at all; every problem is
reported with its row and column. The columns of each kind, and their units,
are in :mod:`scheduler.io.schemas`; what an import adds, updates or replaces is
in :mod:`scheduler.io.importer` and the ``load_*`` modules.
"""

from scheduler.io.errors import ImportRejected, RowError
from scheduler.io.exporter import export_dataset, export_kind
from scheduler.io.importer import ImportReport, import_dataset, import_file
from scheduler.io.kinds import KINDS
from scheduler.io.reader import ImportLimits
from scheduler.io.writer import neutralise

__all__ = [
    "KINDS",
    "ImportLimits",
    "ImportRejected",
    "ImportReport",
    "RowError",
    "export_dataset",
    "export_kind",
    "import_dataset",
    "import_file",
    "neutralise",
]
