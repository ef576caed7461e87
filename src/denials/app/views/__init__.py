"""One module per page; each has `render(context)`."""

from __future__ import annotations

from denials.app.context import PageContext
from denials.app.views import appeals, drugs, medical_necessity, overview, payers, prebill, prior_auth

RENDERERS = {
    "Overview": overview.render, "Payers": payers.render, "Drugs and unit errors": drugs.render,
    "Medical necessity": medical_necessity.render, "Prior auth": prior_auth.render,
    "Appeal worklist": appeals.render, "Pre-bill risk queue": prebill.render,
}


def render_page(context: PageContext) -> None:
    RENDERERS[context.page](context)
