"""gunicorn's settings for Thi Đua Số, read from the working directory when gunicorn starts
(README, "Production"); options on the command line override them."""

# Load the application once, in the master process, and warm it there (app.warm_up):
# the workers fork from a warm process, with the boards' front pages already drawn.
preload_app = True


def when_ready(server):
    from app import warm_up

    warm_up(server.app.wsgi())
