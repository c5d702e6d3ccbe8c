"""Preparedness engine: exercises (MSEL, evaluation, AAR/IP), training evaluation and
national action plans. Pure and Django-free; content is read by
:mod:`placeguard.content.preparedness`. Method: docs/preparedness-method.md.
"""
