"""The scenario set-up of the three assignments, one module each.

- ``mlops_course.assignments.drift``       the "drift" assignment: scored loan stream, monitored months
- ``mlops_course.assignments.bias``        the "bias" assignment: loan splits, retraining pipeline, UCI Adult
- ``mlops_course.assignments.operations``  the "operations" assignment: risk register, RACI, test statuses
"""
