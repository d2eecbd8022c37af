"""The public verification form (Flask-WTF: it carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize

from web.forms import Form

# A baked badge is about 100 KB; anything far larger is not one.
MAX_UPLOAD_BYTES = 5 * 2**20


class VerifyUploadForm(Form):
    file = FileField(_l("Badge image (PNG)"), validators=[
        FileRequired(_l("Choose the PNG file of the badge.")),
        FileSize(MAX_UPLOAD_BYTES, message=_l("The file is larger than 5 MB: it is not a badge image."))])
