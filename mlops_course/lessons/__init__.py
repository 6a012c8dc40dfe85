"""The demonstrations of the three lessons, one sub-package per lesson.

- ``mlops_course.lessons.challenges``  lesson 1, business challenges and risks of MLOps:
  ``risks`` (risk taxonomy and matrix, availability, decisions in money, safety demonstrations) and
  ``monitoring`` (PSI, data and output monitoring, guardrails, monitoring versus unit tests)
- ``mlops_course.lessons.teams``       lesson 2, how MLOps teams operate:
  ``roles`` (roles and the RACI matrix of the model lifecycle), ``business_metrics`` (decision thresholds
  chosen by profit) and ``model_card`` (model card and registry record built from code)
- ``mlops_course.lessons.state``       lesson 3, the state of MLOps today:
  ``maturity`` (maturity models, ML Test Score, build versus buy, regulation) and ``reasons`` (principal
  reasons for a declined application, as credit law asks)
- ``mlops_course.lessons.knowledge_checks``  the knowledge checks of all three chapters
- ``mlops_course.lessons.pacing``  the chapters' reading times, estimated from their content

The lender these lessons talk about (its economics and its practices) is ``mlops_course.lender``.
"""
