"""A conversation with uploaded files, for the page, admin and browser tests: a picture, a
recording, a PDF and a CSV table, stored through the service as the API stores an upload."""

from django.core.files.uploadedfile import SimpleUploadedFile

from sessions_app import services
from sessions_app.models import Message, Session
from tests.browser.mixed_conversation import picture_png
from tests.sessions_app.asset_samples import PDF, TEXT, WAV

PICTURE = picture_png()
# name: (bytes, the type the client declares, the part's type)
FILES = {
    "chart.png": (PICTURE, "image/png", "image"),
    "greeting.wav": (WAV, "audio/wav", "audio"),
    "report.pdf": (PDF, "application/pdf", "file"),
    "scores.csv": (TEXT, "text/csv", "file"),
}


def store_uploaded_conversation(session: Session) -> Message:
    """A user message holding the four files, and an answer. Returns the user message."""
    uploads = {
        f"file{index}": SimpleUploadedFile(name, data, content_type)
        for index, (name, (data, content_type, _)) in enumerate(FILES.items())
    }
    parts = [{"type": "text", "text": "Here are the chart, my greeting and the report."}]
    parts += [
        {"type": kind, "file_field": f"file{index}"}
        for index, (_, _, kind) in enumerate(FILES.values())
    ]
    message = services.message_store(
        session=session,
        blob={"role": "user", "parts": parts},
        format="acontext",
        uploads=uploads,
    )
    services.message_store(
        session=session,
        blob={"role": "assistant", "content": "A rising chart, a short silence and one page."},
    )
    return message
