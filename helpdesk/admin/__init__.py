"""The vendor's administration (ACC-7): agents, teams, products, organisations and their
mail domains. Only agents with ``is_admin`` reach it; everyone else gets a 404."""
