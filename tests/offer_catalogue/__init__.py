"""Tests of the offer catalogue package."""
