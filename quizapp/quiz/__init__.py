"""The public quiz: landing page, questionnaire and private result pages."""
