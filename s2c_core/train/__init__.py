"""Training: stage 1 (`position.train_position`) and stage 2 (`gesture.train_gesture`), one
shared loop (`loop.fit`), configs in `config` (torch-free, so the CLI can read them cheaply).
Launch several processes with torchrun; see docs/training.md."""
