"""Report layer: the main job (pipeline), the one table writer, codebook, charts,
report.html and console printing.

The names of the former ``plantrace.report`` module (rich printing, now
:mod:`plantrace.report.console`) are re-exported here for one release.
"""

from .console import (
                      console,
                      print_alignment,
                      print_corpus_table,
                      print_diff,
                      print_explanation,
                      print_frame,
                      print_report,
                      progress_loader,
                      step_progress,
)

__all__ = ["console", "print_alignment", "print_corpus_table", "print_diff", "print_explanation", "print_frame",
           "print_report", "progress_loader", "step_progress"]
