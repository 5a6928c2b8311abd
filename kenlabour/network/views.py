"""Thin views of the network: parse input with a form, call one selector or service, render."""
