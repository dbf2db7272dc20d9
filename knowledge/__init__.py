"""The knowledge base: YAML articles that councils edit, validated, embedded and searched.

Data flows one way: YAML -> load + validate -> embed -> FAISS -> search. `actions` and `web`
use it only through `knowledge.service` and the models in `knowledge.models`.
"""
