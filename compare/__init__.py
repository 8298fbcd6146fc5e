"""omxval.compare — the Gaussian and full-quantum models side by side.

Each study takes an operating point (or a design) and returns a result that carries its own
verdict (``question``, ``verdict``, ``reasons``); the report writers only write. The
``omxval`` command (:mod:`omxval.compare.cli`) runs them and writes reports through
:class:`~omxval.compare.output.OutputDirectory`, which never replaces a directory omxval
did not write.
"""

from .agreement import PointComparison, Tolerances, compare_point
from .config import ReportConfig, config_from_dict, load_config
from .convergence import ConvergenceStudy, convergence_study
from .deviation import max_abs_difference
from .linearization import LinearizationStudy, linearization_study
from .nonreciprocity import NonreciprocityStudy, nonreciprocity_study
from .output import OutputDirectory, OutputLocationError
from .paper_device import paper_points, write_paper_device_report

__all__ = ["compare_point", "PointComparison", "Tolerances", "convergence_study",
           "ConvergenceStudy", "linearization_study", "LinearizationStudy",
           "nonreciprocity_study", "NonreciprocityStudy", "max_abs_difference", "ReportConfig",
           "load_config", "config_from_dict", "OutputDirectory", "OutputLocationError",
           "paper_points", "write_paper_device_report"]
