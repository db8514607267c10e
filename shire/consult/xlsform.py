"""Reading XLSForms (placeholder replaced by the XLSForm importer work)."""


class XLSFormError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(f"{p['sheet']} sheet, row {p['row']}, column {p['column']}: {p['message']}" for p in problems))


def read_xlsform(data, filename):
    raise XLSFormError([{"sheet": "survey", "row": None, "column": None, "message": "XLSForm import is not built yet"}])
