"""The ProjectX Gateway client: typed models, the REST client, the realtime hubs, the rate budget."""
