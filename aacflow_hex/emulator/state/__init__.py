"""The emulator's in-memory workspace: records and their store."""
