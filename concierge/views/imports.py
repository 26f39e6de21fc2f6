from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_http_methods

from concierge import imports
from concierge.forms_imports import ImportForm, max_upload_bytes
from concierge.views.responses import render_page


@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload a member or purchase CSV into the user's own store and show the import report."""
    user = request.user
    if not user.has_perm("concierge.import_data") or user.store_id is None:
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
            try:
                result = imports.run_import(
                    kind, upload, store=user.store, actor=user, file_name=upload.name, source_label="page"
                )
            except imports.ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                # A fresh form, so the next file is chosen on purpose, not re-sent by accident.
                form = ImportForm(initial={"kind": kind})
    else:
        form = ImportForm()
    context = {
        "active_nav": "imports",
        "form": form,
        "result": result,
        "store": user.store,
        "max_upload_bytes": max_upload_bytes(),
        "formats": [(kind, label, imports.COLUMNS[kind]) for kind, label in imports.KIND_CHOICES],
    }
    # The report and the form's errors come back with 200 so htmx swaps them in.
    return render_page(request, "concierge/imports.html", context, partial="result")
