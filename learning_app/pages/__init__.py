"""One package per area, mirroring `services/`; the route table is `learning_app.learning_app`."""
