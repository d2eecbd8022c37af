"""Pages of the emulation package. Views stay thin: services compute, templates show."""
from flask import Blueprint, render_template

from .overview import province_overview

bp = Blueprint("emulation", __name__)


@bp.get("/")
def home():
    return render_template("emulation/home.html", overview=province_overview())
