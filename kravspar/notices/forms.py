"""The notice upload form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kravspar.invoices.forms import MultipleFileField, MultipleFileInput
from kravspar.notices.services import MAX_BYTES

MAX_FILES = 50


class UploadForm(forms.Form):
    notice_files = MultipleFileField(
        label=_("Notice files"),
        widget=MultipleFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
        error_messages={"required": _("Choose at least one file.")},
        help_text=_("eForms notices as XML from the tender system, up to 50 files."),
    )

    def clean_notice_files(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["notice_files"]
        if len(files) > MAX_FILES:
            raise ValidationError(_("Upload at most %(count)s files at a time.") % {"count": MAX_FILES})
        for f in files:
            if f.size is not None and f.size > MAX_BYTES:
                raise ValidationError(
                    _("%(name)s is larger than %(size)s.") % {"name": f.name, "size": filesizeformat(MAX_BYTES)}
                )
        return files
