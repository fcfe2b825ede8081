"""Runs the lessons for notebooks/render.ts: nbconvert's ExecutePreprocessor, keeping late outputs.

Deno's Jupyter kernel (2.x) publishes a cell's result from a task of its own, which can still be
running when the kernel has already said the cell is done (status "idle"). nbclient stops
listening to a cell at that "idle" and then ignores every message whose parent is another
request, so a late chart or table was dropped without a word: a handful of cells in every
run under load, and now and then all of a lesson's charts.

This preprocessor gives every output to the cell that made it, by the message's parent id,
whenever it arrives: while a later cell runs, or in a short wait after the last one. render.ts
loads it with PYTHONPATH pointing here and
`--NotebookExporter.preprocessors=_execute.LateOutputExecutePreprocessor`, so it runs on
whatever Python runs Jupyter (Debian's, on a fresh machine).
"""

import time
from queue import Empty

from nbclient.client import CellExecutionComplete, NotebookClient
from nbclient.util import ensure_async, run_sync
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float

# The messages that add to a cell's outputs; status and execute_input only mark progress.
OUTPUT_TYPES = {"execute_result", "display_data", "update_display_data", "stream", "error"}


class LateOutputExecutePreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor whose cells keep the outputs the kernel sends after their "idle"."""

    late_output_quiet = Float(
        1.0,
        help="After the last cell: how long iopub must stay silent before the kernel is shut down.",
    ).tag(config=True)
    late_output_max = Float(
        10.0,
        help="After the last cell: the longest wait for late outputs, in seconds.",
    ).tag(config=True)

    # Outputs kept after their cell was done (reset for each notebook in preprocess).
    late_outputs = 0

    def _owner_table(self):
        if not hasattr(self, "_owners"):
            self._owners = {}
        return self._owners

    def _route(self, msg):
        """Adds a message to the cell whose request it answers; False when no cell of ours asked."""
        owner = self._owner_table().get(msg["parent_header"].get("msg_id"))
        if owner is None or msg["msg_type"] not in OUTPUT_TYPES:
            return False
        cell, cell_index = owner
        self.late_outputs += 1
        self.log.info("late %s for cell %d kept", msg["msg_type"], cell_index)
        try:
            self.process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            pass
        return True

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self._owner_table()[parent_msg_id] = (cell, cell_index)
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            else:
                self._route(msg)

    async def _async_drain_late_outputs(self):
        """Listens after the last cell until iopub is quiet, giving late outputs to their cells."""
        deadline = time.monotonic() + self.late_output_max
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=self.late_output_quiet))
            except Empty:
                return
            self._route(msg)

    _drain_late_outputs = run_sync(_async_drain_late_outputs)

    def preprocess(self, nb, resources=None, km=None):
        # As ExecutePreprocessor.preprocess, with the wait for late outputs before the kernel goes.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._owners = {}
        self.late_outputs = 0
        with self.setup_kernel():
            info_msg = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            for index, cell in enumerate(self.nb.cells):
                self.preprocess_cell(cell, resources, index)
            self._drain_late_outputs()
        self.set_widgets_metadata()
        if self.late_outputs:
            self.log.info("%d late outputs kept", self.late_outputs)
        return self.nb, self.resources
