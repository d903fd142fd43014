"""Aggregate early warning: weekly counts of attacks by attack type and target type, outbreak detection, threat
prior updates and posture *recommendations* (approval belongs to the posture domain). Never about persons."""
